// An IAB TCF consent manager that has the shopper's consent (purposes 1 to 10, a vector
// of tests/fixtures/tcf-v2-vectors.json). `?cmp=loaded`: its choices come from its own
// storage, as on a visit after the one where the shopper decided (TCF `tcloaded`), e.g.
// a cookie its server set, which Safari's tracking prevention does not cap; otherwise the
// shopper decides on this page (`useractioncomplete`).
(() => {
  const eventStatus = new URLSearchParams(location.search).get('cmp') === 'loaded' ? 'tcloaded' : 'useractioncomplete';
  const consents = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((id) => [id, true]));
  window.__tcfapi = (command, version, callback) => {
    if (command !== 'addEventListener' || version !== 2) return;
    callback(
      {
        eventStatus,
        gdprApplies: true,
        cmpStatus: 'loaded',
        listenerId: 1,
        tcString: 'COwDzqZOwDzqZN4ABMENAPCAAP4AAP-AAAhoAFQAYABgAOABQAAAAA',
        purpose: { consents, legitimateInterests: {} },
        vendor: { consents: {}, legitimateInterests: {} },
        publisher: { consents: {}, legitimateInterests: {}, restrictions: {} },
      },
      true,
    );
  };
})();
