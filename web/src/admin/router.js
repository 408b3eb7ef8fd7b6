import { createRouter, createWebHistory } from 'vue-router';
import { api, session, loadSession, can, onUnauthorized } from './session.js';
import { ApiError } from '@/shared/api.js';
import Layout from './layout/AdminLayout.vue';

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true } },
  {
    path: '/',
    component: Layout,
    children: [
      { path: '', name: 'home', component: () => import('./views/Home.vue'), meta: { title: 'menu.home' } },
      { path: 'orgs', name: 'orgs', component: () => import('./views/orgs/OrgList.vue'), meta: { title: 'menu.orgs', perm: 'org.read' } },
      { path: 'units', name: 'units', component: () => import('./views/units/UnitList.vue'), meta: { title: 'menu.units', perm: 'unit.read' } },
      { path: 'members', name: 'members', component: () => import('./views/members/MemberList.vue'), meta: { title: 'menu.members', perm: 'member.read' } },
      { path: 'members/new', name: 'member-new', component: () => import('./views/members/MemberForm.vue'), meta: { title: 'member.createTitle', perm: 'member.write', parent: 'members' } },
      { path: 'members/import', name: 'member-import', component: () => import('./views/members/MemberImport.vue'), meta: { title: 'menu.import', perm: 'member.import' } },
      { path: 'members/:id(\\d+)', name: 'member', component: () => import('./views/members/MemberDetail.vue'), meta: { title: 'member.detailTitle', perm: 'member.read', parent: 'members' } },
      { path: 'members/:id(\\d+)/edit', name: 'member-edit', component: () => import('./views/members/MemberForm.vue'), meta: { title: 'member.editTitle', perm: 'member.write', parent: 'members' } },
      { path: 'transfers', name: 'transfers', component: () => import('./views/members/Transfers.vue'), meta: { title: 'menu.transfers', perm: 'member.transfer' } },
      { path: 'staff', name: 'staff', component: () => import('./views/staff/StaffList.vue'), meta: { title: 'menu.staff', perm: 'staff.read' } },
      { path: 'roles', name: 'roles', component: () => import('./views/staff/Roles.vue'), meta: { title: 'menu.roles' } },
      { path: 'audit', name: 'audit', component: () => import('./views/audit/AuditLog.vue'), meta: { title: 'menu.audit', perm: 'audit.read' } },
      { path: 'forbidden', name: 'forbidden', component: () => import('./views/Status.vue'), props: { kind: 403 } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/Status.vue'), props: { kind: 404 } },
    ],
  },
];

export const router = createRouter({ history: createWebHistory('/admin/'), routes });

onUnauthorized(() => {
  const cur = router.currentRoute.value;
  if (cur.name !== 'login') router.replace({ name: 'login', query: { redirect: cur.fullPath, expired: '1' } });
});

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  if (!api.getToken()) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  if (!session.account) {
    try {
      await loadSession();
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        api.setToken('');
        return { name: 'login', query: { redirect: to.fullPath } };
      }
      // Server unreachable: let the page show its own error state.
      return true;
    }
  }
  if (to.meta.perm && !can(to.meta.perm)) return { name: 'forbidden' };
  return true;
});
