// The state of a picker over a list the server searches (members, units):
// the options of the newest answer only (older answers are dropped), the
// v-model / `picked` events, and the name of a value set from outside (an
// edit form's preset id) fetched once.
//
//   const { options, loading, search, onPick } = useRemoteSelect(props, emit, {
//     find: (q) => api.get('/units', { q }).then((r) => r.items),
//     fetchOne: (id) => api.get(`/units/${id}`),
//     announce: false,   // emit `picked` for the fetched preset too
//   });
//   <el-select :model-value="modelValue" remote :remote-method="search" :loading="loading" @update:model-value="onPick">
import { ref, watch } from 'vue';

export function useRemoteSelect(props, emit, { find, fetchOne, announce = false }) {
  const options = ref([]);
  const loading = ref(false);
  let seq = 0;

  async function search(q) {
    const my = ++seq;
    loading.value = true;
    try {
      const items = await find(q);
      if (my === seq) options.value = items;
    } catch {
      if (my === seq) options.value = [];
    } finally {
      if (my === seq) loading.value = false;
    }
  }

  const onPick = pickEmitter(emit, options);

  watch(
    () => props.modelValue,
    async (id) => {
      if (typeof id !== 'number' || options.value.some((o) => o.id === id)) return;
      try {
        const o = await fetchOne(id);
        if (!options.value.some((x) => x.id === o.id)) options.value = [o, ...options.value];
        if (announce) emit('picked', o);
      } catch {
        /* outside the caller's scope: the id stays visible */
      }
    },
    { immediate: true },
  );

  return { options, loading, search, onPick };
}

// A picker's v-model update and its `picked` event with the whole option
// (null when cleared or unknown); `options` a ref of {id, …}.
export function pickEmitter(emit, options) {
  return (v) => {
    emit('update:modelValue', v ?? null);
    emit('picked', options.value.find((o) => o.id === v) || null);
  };
}
