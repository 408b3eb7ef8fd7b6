// The record a detail page shows: loading, the load error, a reload.
// `fetch()` returns the record; `onLoaded(record)` starts what the page
// loads next (names, history). Loads once on mount.
//
//   const { record: c, loading, error, load } = useRecord(() => api.get(`/claims/${id}`));
//   <LoadState :loading="loading" :error="error" @retry="load"> … </LoadState>
import { onMounted, ref } from 'vue';
import { errorMessage } from '@/shared/api.js';

export function useRecord(fetch, { onLoaded } = {}) {
  const record = ref(null);
  const loading = ref(true);
  const error = ref('');
  async function load() {
    loading.value = true;
    error.value = '';
    try {
      record.value = await fetch();
      if (onLoaded) onLoaded(record.value);
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }
  onMounted(load);
  return { record, loading, error, load };
}
