// Shared by the WebSocket routes.
import { UpgradeRequiredError } from './errors.ts';

/** A plain HTTP request to a WebSocket route: say what it needs instead of a bare 404. */
export async function upgradeRequired(): Promise<never> {
  throw new UpgradeRequiredError();
}
