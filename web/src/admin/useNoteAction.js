// A decision taken in a dialog with a note (approve / return / reject a
// claim, pass or reject a relief stage): the note is checked when the action
// needs one, one Idempotency-Key per opening (renewed after a failure), the
// server's note problem goes under the note and anything else on top.
//
//   const decide = useNoteAction({
//     needsNote: (action) => action !== 'approve',
//     send: (action, note, key) => api.post(…),   // note: trimmed, '' when none
//     done: (action) => load(),                    // after the dialog closed
//     stale: (e) => e.code === 'claim.state',      // reload the record too
//     reload: load,
//   });
//   decide.start('approve');  <NoteDialog :action="decide" … />
import { reactive } from 'vue';
import { i18n } from '@/shared/i18n.js';
import { ApiError, errorMessage, idempotencyKey } from '@/shared/api.js';

export function useNoteAction({ needsNote = () => false, send, done, stale = () => false, reload }) {
  const s = reactive({
    open: false,
    action: '',
    note: '',
    noteError: '',
    error: '',
    busy: false,
    key: '',
    get noteRequired() {
      return needsNote(s.action);
    },
    start(action) {
      Object.assign(s, { open: true, action, note: '', noteError: '', error: '', key: idempotencyKey() });
    },
    async submit() {
      s.noteError = '';
      s.error = '';
      const note = s.note.trim();
      if (needsNote(s.action) && note.length < 2) {
        s.noteError = i18n.global.t('aid.noteRequired');
        return;
      }
      s.busy = true;
      try {
        await send(s.action, note, s.key);
        s.open = false;
        if (done) await done(s.action);
      } catch (e) {
        s.key = idempotencyKey();
        if (e instanceof ApiError && e.errors.some((x) => x.field === 'note')) s.noteError = e.fieldErrors().note;
        else s.error = errorMessage(e);
        if (e instanceof ApiError && stale(e) && reload) reload();
      } finally {
        s.busy = false;
      }
    },
  });
  return s;
}
