/**
 * Reading the page's consent signals: an IAB TCF CMP's decoded TCData and Google
 * Consent Mode commands. The core decides what they mean.
 * @module
 */

export interface TcfData {
  gdprApplies?: unknown;
  tcString?: unknown;
  eventStatus?: unknown;
  listenerId?: unknown;
  purpose?: { consents?: unknown };
  vendor?: { consents?: unknown };
  publisher?: { consents?: unknown; restrictions?: unknown };
}

/** What the core reads of a CMP's TCData (decoded by the CMP, as TCF intends). */
export interface TcfSignal {
  gdprApplies: boolean;
  tcString?: string;
  purposeConsents: Uint32Array;
  vendorConsent: boolean;
  restrictedPurposes: Uint32Array;
  publisherConsents: Uint32Array;
  /** The CMP loaded the choices from an earlier visit (`tcloaded`), not from the shopper on this page. */
  loaded: boolean;
}

/** Ids whose value is `true` in a TCData `{ [id]: boolean }` map. */
export function grantedIds(map: unknown): Uint32Array {
  if (map === null || typeof map !== 'object') return new Uint32Array();
  const ids = Object.entries(map)
    .filter(([id, value]) => value === true && /^[0-9]{1,5}$/.test(id))
    .map(([id]) => Number(id));
  return Uint32Array.from(ids);
}

/** TCData as the core reads it, for the shop's vendor id (if any). */
export function tcfSignal(data: TcfData, vendorId: number | undefined): TcfSignal {
  const restrictions = data.publisher?.restrictions;
  const restricted: number[] = [];
  if (vendorId !== undefined && restrictions !== null && typeof restrictions === 'object') {
    for (const [purpose, vendors] of Object.entries(restrictions)) {
      const type = vendors !== null && typeof vendors === 'object' ? (vendors as Record<string, unknown>)[vendorId] : undefined;
      // 0: not allowed; 2: legitimate interest only. Either rules out consent-based use.
      if ((type === 0 || type === 2) && /^[0-9]{1,2}$/.test(purpose)) restricted.push(Number(purpose));
    }
  }
  const vendorConsents = data.vendor?.consents;
  return {
    gdprApplies: data.gdprApplies === true,
    ...(typeof data.tcString === 'string' ? { tcString: data.tcString } : {}),
    purposeConsents: grantedIds(data.purpose?.consents),
    vendorConsent:
      vendorId !== undefined &&
      vendorConsents !== null &&
      typeof vendorConsents === 'object' &&
      (vendorConsents as Record<string, unknown>)[vendorId] === true,
    restrictedPurposes: Uint32Array.from(restricted),
    publisherConsents: grantedIds(data.publisher?.consents),
    loaded: data.eventStatus === 'tcloaded',
  };
}
export type TcfApi = (command: string, version: number, callback: (data: TcfData, success: boolean) => void, parameter?: unknown) => void;
export type ModeStatus = 'granted' | 'denied' | undefined;
export interface ModeState {
  personalization?: ModeStatus;
  analytics?: ModeStatus;
}

/** Google Consent Mode commands seen in `window.dataLayer`, read incrementally. */
export class ConsentModeReader {
  #seen = 0;
  defaults: ModeState = {};
  updates: ModeState = {};

  /** Reads new entries; returns whether anything changed. */
  read(): boolean {
    const layer = (globalThis as { dataLayer?: unknown }).dataLayer;
    if (!Array.isArray(layer) || this.#seen >= layer.length) return false;
    const before = JSON.stringify([this.defaults, this.updates]);
    for (; this.#seen < layer.length; this.#seen += 1) {
      const entry: unknown = layer[this.#seen];
      // gtag('consent', 'default' | 'update', {...}) pushes its `arguments` object.
      if (entry === null || typeof entry !== 'object' || (entry as ArrayLike<unknown>)[0] !== 'consent') continue;
      const [, command, params] = Array.from(entry as ArrayLike<unknown>);
      if ((command !== 'default' && command !== 'update') || params === null || typeof params !== 'object') continue;
      const status = (value: unknown): ModeStatus => (value === 'granted' || value === 'denied' ? value : undefined);
      const { personalization_storage, analytics_storage } = params as Record<string, unknown>;
      const target = command === 'default' ? this.defaults : this.updates;
      target.personalization = status(personalization_storage) ?? target.personalization;
      target.analytics = status(analytics_storage) ?? target.analytics;
    }
    return JSON.stringify([this.defaults, this.updates]) !== before;
  }
}
