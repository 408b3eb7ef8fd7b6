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
      // Mutual aid (互助保障), critical-illness relief (大病救助), the fund ledger: docs/funds.md.
      { path: 'aid/periods', name: 'aidPeriods', component: () => import('./views/funds/PeriodList.vue'), meta: { title: 'menu.aidPeriods', perm: 'fund.read' } },
      { path: 'aid/periods/new', name: 'aid-period-new', component: () => import('./views/funds/PeriodForm.vue'), meta: { title: 'aid.newPeriod', perm: 'fund.manage', parent: 'aidPeriods' } },
      { path: 'aid/periods/:id(\\d+)', name: 'aid-period', component: () => import('./views/funds/PeriodDetail.vue'), meta: { title: 'aid.periodDetail', perm: 'fund.read', parent: 'aidPeriods' } },
      { path: 'aid/enrol', name: 'aid-enrol', component: () => import('./views/funds/Enrol.vue'), meta: { title: 'menu.aidEnrol', perm: 'fund.enrol' } },
      { path: 'aid/claims', name: 'aidClaims', component: () => import('./views/funds/ClaimList.vue'), meta: { title: 'menu.aidClaims', perm: 'fund.read' } },
      { path: 'aid/claims/new', name: 'aid-claim-new', component: () => import('./views/funds/ClaimForm.vue'), meta: { title: 'aid.fileClaim', perm: 'claim.file', parent: 'aidClaims' } },
      { path: 'aid/claims/:id(\\d+)', name: 'aid-claim', component: () => import('./views/funds/ClaimDetail.vue'), meta: { title: 'aid.claimDetail', perm: 'fund.read', parent: 'aidClaims' } },
      { path: 'aid/claims/:id(\\d+)/edit', name: 'aid-claim-edit', component: () => import('./views/funds/ClaimForm.vue'), meta: { title: 'aid.correct', perm: 'claim.file', parent: 'aidClaims' } },
      { path: 'aid/report', name: 'aid-report', component: () => import('./views/funds/AidReport.vue'), meta: { title: 'menu.aidReport', perm: 'fund.read' } },
      { path: 'relief', name: 'relief', component: () => import('./views/funds/ReliefList.vue'), meta: { title: 'menu.relief', perm: 'fund.read' } },
      { path: 'relief/new', name: 'relief-new', component: () => import('./views/funds/ReliefForm.vue'), meta: { title: 'relief.file', perm: 'claim.file', parent: 'relief' } },
      { path: 'relief/:id(\\d+)', name: 'relief-app', component: () => import('./views/funds/ReliefDetail.vue'), meta: { title: 'relief.detail', perm: 'fund.read', parent: 'relief' } },
      { path: 'relief/batches', name: 'relief-batches', component: () => import('./views/funds/ReliefBatches.vue'), meta: { title: 'menu.reliefBatches', perm: 'fund.pay' } },
      { path: 'relief/report', name: 'relief-report', component: () => import('./views/funds/ReliefReport.vue'), meta: { title: 'menu.reliefReport', perm: 'fund.read' } },
      { path: 'relief/tiers', name: 'relief-tiers', component: () => import('./views/funds/ReliefTiers.vue'), meta: { title: 'menu.reliefTiers', perm: 'fund.read' } },
      { path: 'ledger', name: 'ledger', component: () => import('./views/funds/Ledger.vue'), meta: { title: 'menu.ledger', perm: 'fund.read' } },
      // Limited campaigns (限量发放): docs/campaigns.md.
      { path: 'campaigns', name: 'campaigns', component: () => import('./views/campaigns/CampaignList.vue'), meta: { title: 'menu.campaigns', perm: 'campaign.read' } },
      { path: 'campaigns/new', name: 'campaign-new', component: () => import('./views/campaigns/CampaignForm.vue'), meta: { title: 'campaign.createTitle', perm: 'campaign.write', parent: 'campaigns' } },
      { path: 'campaigns/:id(\\d+)', name: 'campaign', component: () => import('./views/campaigns/CampaignDetail.vue'), meta: { title: 'campaign.detailTitle', perm: 'campaign.read', parent: 'campaigns' } },
      // Offers (惠工服务): merchants, offers, the report: docs/offers.md.
      { path: 'merchants', name: 'merchants', component: () => import('./views/offers/MerchantList.vue'), meta: { title: 'menu.merchants', perm: 'offer.read' } },
      { path: 'merchants/new', name: 'merchant-new', component: () => import('./views/offers/MerchantForm.vue'), meta: { title: 'merchant.createTitle', perm: 'offer.write', parent: 'merchants' } },
      { path: 'merchants/:id(\\d+)', name: 'merchant', component: () => import('./views/offers/MerchantDetail.vue'), meta: { title: 'merchant.detailTitle', perm: 'offer.read', parent: 'merchants' } },
      { path: 'merchants/:id(\\d+)/edit', name: 'merchant-edit', component: () => import('./views/offers/MerchantForm.vue'), meta: { title: 'merchant.editTitle', perm: 'offer.write', parent: 'merchants' } },
      { path: 'offers', name: 'offers', component: () => import('./views/offers/OfferList.vue'), meta: { title: 'menu.offers', perm: 'offer.read' } },
      { path: 'offers/new', name: 'offer-new', component: () => import('./views/offers/OfferForm.vue'), meta: { title: 'offer.createTitle', perm: 'offer.write', parent: 'offers' } },
      { path: 'offers/:id(\\d+)', name: 'offer', component: () => import('./views/offers/OfferDetail.vue'), meta: { title: 'offer.detailTitle', perm: 'offer.read', parent: 'offers' } },
      { path: 'offers/redemptions', name: 'offer-redemptions', component: () => import('./views/offers/RedemptionList.vue'), meta: { title: 'menu.redemptions', perm: 'offer.read' } },
      { path: 'offers/report', name: 'offer-report', component: () => import('./views/offers/OfferReport.vue'), meta: { title: 'menu.offerReport', perm: 'offer.read' } },
      // Terminals (终端管理): docs/terminals.md.
      { path: 'terminals', name: 'terminals', component: () => import('./views/terminals/TerminalList.vue'), meta: { title: 'menu.terminals', perm: 'terminal.write' } },
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
