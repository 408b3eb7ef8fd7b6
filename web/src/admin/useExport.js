// The state of an "export to Excel" button: `exporting` while it runs, a
// message that stays up meanwhile (its text may change, e.g. "12,000 of
// 30,000 rows"), then a success message or the error.
//
//   const { exporting, run } = useExport();
//   run(async (say) => { …; say(t('member.exporting', { n, total })); …; return t('member.exportDone') },
//       t('offerReport.exporting'));
//   <el-button :loading="exporting" @click="exportXlsx">
import { h, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { errorMessage } from '@/shared/api.js';

export function useExport() {
  const exporting = ref(false);
  // work(say) returns the success message; `busy` is the first progress text.
  async function run(work, busy) {
    exporting.value = true;
    const progress = ref(busy);
    const note = ElMessage({ message: () => h('span', progress.value), duration: 0 });
    try {
      const done = await work((text) => {
        progress.value = text;
      });
      ElMessage.success(done);
    } catch (e) {
      ElMessage.error(errorMessage(e));
    } finally {
      note.close();
      exporting.value = false;
    }
  }
  return { exporting, run };
}
