import { createRouter, createWebHistory } from 'vue-router';
import { api, onUnauthorized } from './session.js';

const routes = [
  { path: '/', redirect: '/card' },
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true, title: 'm.login' } },
  { path: '/register', name: 'register', component: () => import('./views/Register.vue'), meta: { public: true, title: 'm.register' } },
  { path: '/card', name: 'card', component: () => import('./views/Card.vue'), meta: { tab: true, title: 'm.card' } },
  { path: '/profile', name: 'profile', component: () => import('./views/Profile.vue'), meta: { tab: true, title: 'm.mine' } },
  { path: '/mutual-aid', name: 'mutual-aid', component: () => import('./views/MutualAid.vue'), meta: { title: 'mAid.title' } },
  { path: '/mutual-aid/claim', name: 'aid-claim', component: () => import('./views/AidClaim.vue'), meta: { title: 'mAid.fileTitle' } },
  { path: '/campaigns', name: 'campaigns', component: () => import('./views/Campaigns.vue'), meta: { title: 'mCamp.title' } },
  { path: '/pickup-codes', name: 'pickup-codes', component: () => import('./views/PickupCodes.vue'), meta: { title: 'mCamp.codesTitle' } },
  { path: '/offers', name: 'offers', component: () => import('./views/Offers.vue'), meta: { title: 'mOffer.title' } },
  { path: '/redemptions', name: 'redemptions', component: () => import('./views/Redemptions.vue'), meta: { title: 'mOffer.recordsTitle' } },
  { path: '/:pathMatch(.*)*', redirect: '/card' },
];

export const router = createRouter({
  history: createWebHistory('/m/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

onUnauthorized(() => {
  const cur = router.currentRoute.value;
  if (!cur.meta.public) router.replace({ name: 'login', query: { redirect: cur.fullPath } });
});

router.beforeEach((to) => {
  if (!to.meta.public && !api.getToken()) return { name: 'login', query: { redirect: to.fullPath } };
  return true;
});
