// Unit id → name, cached for the whole console session. Member lists carry
// only unit ids; names are fetched once per unit (GET /units/{id}).
import { reactive } from 'vue';
import { api } from './session.js';

const names = reactive({});
const inflight = new Map();

export function rememberUnits(units) {
  for (const u of units) names[u.id] = u.name;
}

async function fetchOne(id) {
  if (!inflight.has(id)) {
    inflight.set(
      id,
      api
        .get(`/units/${id}`)
        .then((u) => {
          names[id] = u.name;
        })
        .catch(() => {
          inflight.delete(id);
        }),
    );
  }
  return inflight.get(id);
}

export function useUnitNames() {
  async function resolveUnits(ids) {
    const todo = [...new Set(ids)].filter((id) => id && !(id in names));
    // A few at a time: an export may name hundreds of units.
    for (let i = 0; i < todo.length; i += 8) await Promise.all(todo.slice(i, i + 8).map(fetchOne));
  }
  return { unitNames: names, resolveUnits };
}
