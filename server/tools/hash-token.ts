// Prints the hash to put in the settings file's "auth" block for a token:
//   npm run hash-token -- 'the-token'
// The token itself never goes into the settings file; give it to its holder.
import { randomBytes } from 'node:crypto';
import { hashToken } from '../auth/access.ts';

const token = process.argv[2] ?? randomBytes(24).toString('base64url');
if (!process.argv[2]) process.stdout.write(`new token (give it to its holder, store it nowhere else): ${token}\n`);
process.stdout.write(`${hashToken(token)}\n`);
