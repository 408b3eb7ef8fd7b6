import { createApp } from 'vue';
import 'vant/es/toast/style';
import 'vant/es/dialog/style';
import 'vant/es/notify/style';
import App from './App.vue';
import { router } from './router.js';
import { i18n } from '@/shared/i18n.js';
import './styles.css';

createApp(App).use(i18n).use(router).mount('#app');
