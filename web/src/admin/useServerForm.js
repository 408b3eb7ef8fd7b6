// The submit cycle every console form that writes to the API shares: the
// form's own checks first, one Idempotency-Key per attempt (a retried request
// gets the first answer, a failed one frees the key), then the server's 422
// field problems under their form items and anything else in one message on
// top (formProblems in funds.js).
//
//   const form = useServerForm({ fields: ['name', 'rules*'], alias: { period: 'period_id' } });
//   form.errors, form.error, form.busy
//   await form.submit((key) => api.post(url, body, { headers: { 'Idempotency-Key': key } }), {
//     check: () => ({ name: 'required' }),   // client problems, {} when fine
//     valid: rulesValid.value,               // one more gate (e.g. a child editor)
//     onProblem: (e, p) => {},               // move well-known codes onto p.fields
//   });                                      // → true when sent
import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { idempotencyKey } from '@/shared/api.js';
import { formProblems } from './funds.js';

export function useServerForm({ fields = [], alias = {}, fixKey = 'aid.fixErrors' } = {}) {
  const { t } = useI18n();
  const errors = ref({});
  const error = ref('');
  const busy = ref(false);
  let key = idempotencyKey();

  async function submit(send, { check, valid = true, onProblem } = {}) {
    error.value = '';
    errors.value = check ? check() : {};
    if (Object.keys(errors.value).length || !valid) {
      error.value = t(fixKey);
      return false;
    }
    busy.value = true;
    try {
      await send(key);
      key = idempotencyKey();
      return true;
    } catch (e) {
      key = idempotencyKey();
      const p = formProblems(e, fields, alias);
      if (onProblem) onProblem(e, p);
      errors.value = p.fields;
      error.value = p.message || t(fixKey);
      return false;
    } finally {
      busy.value = false;
    }
  }

  function reset() {
    errors.value = {};
    error.value = '';
  }

  return { errors, error, busy, submit, reset };
}
