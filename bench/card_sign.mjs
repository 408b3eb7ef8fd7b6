// Signs N card-verify requests for bench/card_http.sh. Prints text: line 1
// is a curl header list for one extra signed request (the script's own
// check), line 2 "<terminal id> <timestamp>", then one "<nonce> <signature>"
// line per request (read by bench/card_wrk.lua).
//   node bench/card_sign.mjs '<terminal JSON with id and secret>' <card token> <count>
import { createHmac, createHash, randomBytes } from 'node:crypto';

const [terminalJson, cardToken, countText] = process.argv.slice(2);
const terminal = JSON.parse(terminalJson);
const count = Number(countText);
const body = JSON.stringify({ token: cardToken });
const bodyHash = createHash('sha256').update(body).digest('hex');
const key = Buffer.from(terminal.secret, 'hex');
const timestamp = String(Math.floor(Date.now() / 1000));
const target = '/api/v1/terminal/card/verify';
const sign = (nonce) =>
  createHmac('sha256', key).update(['POST', target, timestamp, nonce, bodyHash].join('\n')).digest('hex');

const out = [];
const first = randomBytes(12).toString('base64url');
out.push(`-- first: -H X-Terminal-Id:${terminal.id} -H X-Timestamp:${timestamp} -H X-Nonce:${first} -H X-Signature:${sign(first)}`);
out.push(`${terminal.id} ${timestamp}`);
for (let i = 0; i < count; i++) {
  const nonce = randomBytes(12).toString('base64url');
  out.push(`${nonce} ${sign(nonce)}`);
}
process.stdout.write(out.join('\n') + '\n');
