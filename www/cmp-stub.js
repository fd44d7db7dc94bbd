// A stub IAB TCF v2 consent manager, for the demo only: when the shopper switches the
// shop to "a consent manager", this stands in for a real CMP. It answers
// `__tcfapi('addEventListener', 2, ...)` with TCData, shows its own dialog until the
// shopper decides, and keeps that decision under its own key (as a CMP keeps its
// cookie). Shelfwise reads the decision like any CMP's: it never sees this file.

const DECISION_KEY = 'harbor-market:cmp-decision';
// Two real TC strings (tests/fixtures/tcf-v2-vectors.json): purposes 1 to 10 consented,
// and a later one with purposes 1 and 2 only (no personalization, purposes 3 and 4).
const DECISIONS = {
  accept: { tcString: 'COwDzqZOwDzqZN4ABMENAPCAAP4AAP-AAAhoAFQAYABgAOABQAAAAA', purposes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
  reject: { tcString: 'COwxsONOwxsONKpAAAENAdCAAMAAAAAAAAAAAAAAAAAA', purposes: [1, 2] },
};

const listeners = [];

function tcData(eventStatus, decision) {
  return {
    eventStatus,
    gdprApplies: true,
    cmpStatus: 'loaded',
    listenerId: 1,
    tcString: decision?.tcString ?? '',
    purpose: { consents: Object.fromEntries((decision?.purposes ?? []).map((id) => [id, true])), legitimateInterests: {} },
    vendor: { consents: {}, legitimateInterests: {} },
    publisher: { consents: {}, legitimateInterests: {}, restrictions: {} },
  };
}

function stored() {
  return DECISIONS[localStorage.getItem(DECISION_KEY)] ?? null;
}

window.__tcfapi = (command, version, callback) => {
  if (command === 'addEventListener' && version === 2) {
    listeners.push(callback);
    const decision = stored();
    callback(tcData(decision ? 'tcloaded' : 'cmpuishown', decision), true);
  } else if (command === 'removeEventListener') {
    callback(true);
  }
};

/** Records the shopper's choice and tells every listener (Shelfwise among them). */
function decide(choice) {
  localStorage.setItem(DECISION_KEY, choice);
  for (const callback of listeners) callback(tcData('useractioncomplete', DECISIONS[choice]), true);
  document.getElementById('cmp-dialog')?.remove();
}

/** The CMP's own dialog (built with DOM calls: the page's CSP allows no inline markup). */
export function showCmpDialog() {
  if (document.getElementById('cmp-dialog')) return;
  const dialog = document.createElement('section');
  dialog.id = 'cmp-dialog';
  dialog.className = 'consent-banner cmp-dialog';
  dialog.setAttribute('aria-labelledby', 'cmp-title');
  const text = document.createElement('div');
  text.className = 'consent-text';
  const title = document.createElement('h2');
  title.id = 'cmp-title';
  title.textContent = 'Consent manager (IAB TCF, demo stub)';
  const body = document.createElement('p');
  body.textContent =
    'Personalized content needs your consent to purposes 1, 3 and 4 (store on your device, create and use a personalized content profile).';
  text.append(title, body);
  const actions = document.createElement('div');
  actions.className = 'consent-actions';
  for (const [choice, label, style] of [
    ['accept', 'Accept all', 'button'],
    ['reject', 'Reject all', 'button secondary'],
  ]) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = style;
    button.id = `cmp-${choice}`;
    button.textContent = label;
    button.addEventListener('click', () => decide(choice));
    actions.append(button);
  }
  dialog.append(text, actions);
  document.body.append(dialog);
}

if (!stored()) {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showCmpDialog, { once: true });
  else showCmpDialog();
}
