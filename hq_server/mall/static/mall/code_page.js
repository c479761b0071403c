/* The member code page: HQ's clock, this phone's key (made and registered if needed), and the code
 * redrawn at every 30-second step; the card code as the fallback (no WebCrypto Ed25519, no key yet). */
(function () {
  "use strict";
  var page = document.getElementById("code-page");
  if (!page) return;
  var $ = function (id) { return document.getElementById(id); };
  var member = page.dataset.member, card = page.dataset.card, rec = null, shown = null, mode = "dynamic";

  function show(id, on) { $(id).hidden = !on; }
  function state(text) { $("code-state").textContent = text || ""; show("code-state", !!text); }

  function syncClock() {
    var sent = Date.now();
    return fetch(page.dataset.time, { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (t) {
      var back = Date.now();
      localStorage.setItem("pm-clock-offset", String(Math.round(t.ms - (sent + back) / 2)));
    }).catch(function () { /* offline: keep the last offset */ });
  }

  function drawCard() {
    PMCode.drawQr($("qr"), "PM1:M:" + card);
    state(""); show("countdown", false);
  }

  function tick() {
    if (mode !== "dynamic" || !rec) return;
    var ms = PMCode.now(), step = PMCode.stepAt(ms);
    var left = PMCode.STEP - Math.floor(ms / 1000) % PMCode.STEP;
    var c = $("countdown");
    c.textContent = c.dataset.template.replace("{s}", left);
    if (step !== shown) {
      shown = step;
      PMCode.code(rec, step).then(function (text) {
        PMCode.drawQr($("qr"), text); state(""); show("countdown", true);
      });
    }
  }

  function select(which) {
    mode = which; shown = null;
    $("tab-dynamic").setAttribute("aria-selected", which === "dynamic");
    $("tab-card").setAttribute("aria-selected", which === "card");
    show("hint-dynamic", which === "dynamic"); show("hint-card", which === "card");
    if (which === "card" || !rec) drawCard(); else tick();
  }

  function fallback(id) { rec = null; show(id, true); select("card"); }

  function hexOf(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function start() {
    $("tab-dynamic").addEventListener("click", function () { if (rec) select("dynamic"); });
    $("tab-card").addEventListener("click", function () { select("card"); });
    show("offline-note", !navigator.onLine);
    if (!PMCode.supported()) return fallback("no-crypto");
    var online = navigator.onLine ? syncClock() : Promise.resolve();
    online.then(function () { return PMCode.ensureKey(member); }).then(function (r) {
      var same = hexOf(r.kid) === page.dataset.hqKey;
      if (same || (r.registered && !navigator.onLine)) return r;
      if (page.dataset.fresh === "1") return PMCode.register(r, page.dataset.register, page.dataset.csrf);
      return null;
    }).then(function (r) {
      if (!r) return fallback("turn-on");
      rec = r; select("dynamic");
      setInterval(tick, 1000);
    }).catch(function (err) {
      $("code-error").textContent = err && err.message ? err.message : String(err);
      fallback("code-error");
      if (err && err.name === "NotSupportedError") show("no-crypto", true);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
