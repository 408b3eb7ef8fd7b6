import { createApp } from 'vue';
import 'element-plus/theme-chalk/el-message.css';
import 'element-plus/theme-chalk/el-message-box.css';
import 'element-plus/theme-chalk/el-loading.css';
import { ElLoading } from 'element-plus';
import App from './App.vue';
import { router } from './router.js';
import { i18n } from '@/shared/i18n.js';
import './styles.css';

const app = createApp(App);
app.use(i18n);
app.use(router);
app.directive('loading', ElLoading.directive);
app.mount('#app');
