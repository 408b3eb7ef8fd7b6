// The paging, loading, error and stale-answer handling every list page
// shares. `fetchPage({ page, page_size })` returns `{ items, total }` (or a
// bare array). Answers to older requests are dropped, so fast paging or
// filtering never shows the wrong page.
//
//   const list = usePagedList((p) => api.get('/units', { ...filters(), ...p }));
//   list.items, list.total, list.page, list.pageSize, list.loading, list.error
//   list.load()    reload the current page
//   list.search()  back to page 1 and load (new filters, page size change)
//   <el-pagination v-bind="list.pager" @current-change="list.load" @size-change="list.search" />
import { reactive } from 'vue';
import { errorMessage } from '@/shared/api.js';

export function usePagedList(fetchPage, { pageSize = 20, onLoaded } = {}) {
  let seq = 0;
  const list = reactive({
    items: [],
    total: 0,
    page: 1,
    pageSize,
    loading: false,
    error: '',
    loaded: false,
    async load() {
      const my = ++seq;
      list.loading = true;
      list.error = '';
      try {
        const r = await fetchPage({ page: list.page, page_size: list.pageSize });
        if (my !== seq) return;
        const items = Array.isArray(r) ? r : r?.items || [];
        list.items = items;
        list.total = Array.isArray(r) ? items.length : (r?.total ?? items.length);
        list.loaded = true;
        if (onLoaded) onLoaded(items, r);
      } catch (e) {
        if (my !== seq) return;
        list.items = [];
        list.total = 0;
        list.error = errorMessage(e);
      } finally {
        if (my === seq) list.loading = false;
      }
    },
    search() {
      list.page = 1;
      return list.load();
    },
  });
  return list;
}
