// The member's digital card token (GET /me/card), kept fresh while the card
// page is open:
//
// - a new token `refresh_after_s` seconds after the last one arrived (timed
//   from its arrival on this device, so a wrong phone clock does not matter);
// - at once when the page becomes visible again after being hidden;
// - at once when the token has expired by the device clock (`expires_at`),
//   e.g. after the phone slept or its clock was changed; only when the
//   device clock agreed with the server's (within CLOCK_SKEW_MS) as the token
//   arrived, and at most every EXPIRED_RETRY_MS, so a phone clock that is
//   off does not turn this into a request loop;
// - a failed refresh is retried every RETRY_MS; the old code stays on screen
//   while it is still valid.
//
// The token lives only in memory (never localStorage). No token (membership
// not active) or a 401/403 answer means `inactive`: no code is shown and the
// automatic refreshes stop. Timers and the listener end with the component.
import { computed, onBeforeUnmount, onMounted, ref, shallowRef } from 'vue';
import { api } from './session.js';
import { ApiError, errorMessage } from '@/shared/api.js';

const RETRY_MS = 10_000;
const EXPIRED_RETRY_MS = 15_000;
const CLOCK_SKEW_MS = 10_000;

export function useCardToken() {
  const card = shallowRef(null); // the last answer with a token
  const inactive = ref(false);
  const inactiveStatus = ref(''); // the membership status when the server said so
  const loading = ref(true); // the first load
  const refreshing = ref(false);
  const error = ref(''); // the last refresh's failure
  const now = ref(Date.now());

  let receivedAt = 0; // device time the current token arrived
  let clockOk = true; // the device clock agreed with the server's then
  let lastAttempt = 0; // device time of the last request
  let seq = 0;
  let controller = null;
  let timer = null;

  const token = computed(() => card.value?.token || '');
  // Still usable: within its lifetime counted from its arrival and, when the
  // device clock can be trusted, not past expires_at by it.
  const valid = computed(() => {
    const c = card.value;
    if (!c || !c.token) return false;
    const lifetimeMs = (c.expires_at - c.issued_at) * 1000;
    return now.value < receivedAt + lifetimeMs && !(clockOk && now.value >= c.expires_at * 1000);
  });
  const secondsLeft = computed(() => {
    const c = card.value;
    if (!c || !c.token) return 0;
    return Math.max(0, Math.ceil((receivedAt + c.refresh_after_s * 1000 - now.value) / 1000));
  });

  async function refresh() {
    const mine = ++seq;
    if (controller) controller.abort();
    controller = new AbortController();
    refreshing.value = true;
    lastAttempt = Date.now();
    try {
      const r = await api.get('/me/card', undefined, { noAuthRedirect: true, signal: controller.signal });
      if (mine !== seq) return;
      error.value = '';
      if (r && r.token) {
        receivedAt = Date.now();
        clockOk = Math.abs(receivedAt - r.issued_at * 1000) <= CLOCK_SKEW_MS;
        card.value = r;
        inactive.value = false;
        inactiveStatus.value = '';
      } else {
        card.value = null;
        inactive.value = true;
        inactiveStatus.value = (r && r.status) || '';
      }
    } catch (e) {
      if (mine !== seq || (e && e.name === 'AbortError')) return;
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        card.value = null;
        inactive.value = true;
        inactiveStatus.value = '';
        error.value = '';
      } else {
        error.value = errorMessage(e);
      }
    } finally {
      if (mine === seq) {
        refreshing.value = false;
        loading.value = false;
        controller = null;
        now.value = Date.now();
      }
    }
  }

  function tick() {
    const t = Date.now();
    now.value = t;
    if (refreshing.value || inactive.value || document.visibilityState === 'hidden') return;
    const c = card.value;
    if (error.value) {
      if (t - lastAttempt >= RETRY_MS) refresh();
      return;
    }
    if (!c) return;
    if (t >= receivedAt + c.refresh_after_s * 1000) refresh();
    else if (clockOk && t >= c.expires_at * 1000 && t - lastAttempt >= EXPIRED_RETRY_MS) refresh();
  }

  function start() {
    if (!timer) timer = setInterval(tick, 1000);
  }
  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  function onVisibility() {
    if (document.visibilityState === 'hidden') {
      stop();
      return;
    }
    start();
    refresh();
  }

  onMounted(() => {
    document.addEventListener('visibilitychange', onVisibility);
    start();
    refresh();
  });

  onBeforeUnmount(() => {
    document.removeEventListener('visibilitychange', onVisibility);
    stop();
    seq++;
    if (controller) controller.abort();
    controller = null;
    card.value = null;
  });

  return { card, token, valid, inactive, inactiveStatus, loading, refreshing, error, secondsLeft, refresh };
}
