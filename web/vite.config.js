// One Vite project, two single-page apps:
//   /admin/  staff console (Element Plus)      entry admin/index.html
//   /m/      member H5 pages (Vant)            entry m/index.html
// Built into dist/{admin,m}/index.html with shared hashed assets in dist/assets/,
// the layout src/http/static_files.cpp serves (history-mode fallback per app).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { VantResolver } from '@vant/auto-import-resolver';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const backend = process.env.GONGHUI_URL || 'http://127.0.0.1:8080';

// The dev server has no history fallback for a multi-page app: send
// /admin/anything and /m/anything (not files) to the app's index.html.
function spaFallback() {
  return {
    name: 'gonghui-spa-fallback',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const url = req.url || '';
        const path = url.split('?')[0];
        for (const app of ['admin', 'm']) {
          if (path === `/${app}`) req.url = `/${app}/`;
          else if (path.startsWith(`/${app}/`) && !/\.[a-z0-9]+$/i.test(path) && !path.startsWith(`/${app}/@`))
            req.url = `/${app}/index.html`;
        }
        next();
      });
    },
  };
}

// Components used on the pages (dev server pre-bundling; see optimizeDeps).
const EP_STYLES = [
  'base',
  'alert', 'aside', 'avatar', 'breadcrumb', 'breadcrumb-item', 'button', 'checkbox',
  'checkbox-group', 'col', 'config-provider', 'container', 'date-picker', 'descriptions',
  'descriptions-item', 'dialog', 'divider', 'dropdown', 'dropdown-item', 'dropdown-menu', 'empty',
  'form', 'form-item', 'header', 'icon', 'input', 'input-number', 'main', 'menu', 'menu-item',
  'option', 'pagination', 'progress', 'radio', 'radio-button', 'radio-group', 'result', 'row', 'scrollbar',
  'select', 'skeleton', 'step', 'steps', 'sub-menu', 'switch', 'tab-pane', 'table', 'table-column',
  'tabs', 'tag', 'timeline', 'timeline-item', 'tree', 'tree-select', 'upload', 'loading',
  'message', 'message-box',
];
const VANT_STYLES = [
  'button', 'cell', 'cell-group', 'config-provider', 'empty', 'field', 'form', 'icon', 'loading',
  'nav-bar', 'popup', 'progress', 'pull-refresh', 'step', 'steps', 'tabbar', 'tabbar-item', 'tag', 'toast', 'dialog', 'notify',
];

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    Components({
      dts: false,
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' }), VantResolver()],
    }),
    spaFallback(),
  ],
  resolve: { alias: { '@': here('./src') } },
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      input: { admin: here('./admin/index.html'), m: here('./m/index.html') },
    },
  },
  // Pre-bundle the on-demand component styles up front: otherwise the dev
  // server discovers them page by page and reloads the page each time.
  optimizeDeps: {
    include: [
      'vue', 'vue-router', 'vue-i18n', 'element-plus/es', '@element-plus/icons-vue', 'vant', 'vant/es',
            ...EP_STYLES.map((c) => `element-plus/es/components/${c}/style/css`),
            ...VANT_STYLES.map((c) => `vant/es/${c}/style/index`),
    ],
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: backend, changeOrigin: false } },
  },
});
