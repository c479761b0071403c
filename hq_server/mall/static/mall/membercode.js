/* The member's dynamic code (DESIGN.md 4), made on the phone.
 *
 * The key is an Ed25519 pair made here by WebCrypto with a private half that is not extractable: it
 * lives in this browser's IndexedDB and never leaves the phone. Its public half is registered with HQ
 * (POST /m/phone-key, with a code signed by it as proof), which sends it to every till by pull.
 *
 * A code is `PM1:D:` + base32 (RFC 4648, no padding) of
 *   0x00 | member UUID (16 bytes) | key id (4: SHA-256 of the public key) | 30-second step (4, big-endian)
 *   | Ed25519 signature (64) over "PM1:D:" + the bytes before it
 * exactly as pos_app.scanner.formats reads it and pos_app.domain.presence checks it. All of it is QR
 * alphanumeric text, so the QR stays small. Time is the phone's clock corrected by the offset to HQ's,
 * measured whenever a page is loaded online (tills allow one step either side).
 */
(function () {
  "use strict";
  var DB = "pm-mall", STORE = "keys", STEP = 30;
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  var enc = new TextEncoder();

  function idb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return idb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), out;
        t.oncomplete = function () { resolve(out && out.result); };
        t.onerror = function () { reject(t.error); };
        out = fn(t.objectStore(STORE));
      });
    });
  }
  function get(k) { return tx("readonly", function (s) { return s.get(k); }); }
  function put(k, v) { return tx("readwrite", function (s) { return s.put(v, k); }); }
  function clear() { return tx("readwrite", function (s) { return s.clear(); }); }

  function base32(bytes) {
    var out = "", bits = 0, value = 0;
    for (var i = 0; i < bytes.length; i++) {
      value = (value << 8) | bytes[i]; bits += 8;
      while (bits >= 5) { out += ALPHABET[(value >>> (bits - 5)) & 31]; bits -= 5; }
    }
    if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
    return out;
  }
  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function uuidBytes(id) {
    var h = id.replace(/-/g, ""), out = new Uint8Array(16);
    for (var i = 0; i < 16; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
    return out;
  }
  function concat(parts) {
    var n = 0, i, out, at = 0;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    out = new Uint8Array(n);
    for (i = 0; i < parts.length; i++) { out.set(parts[i], at); at += parts[i].length; }
    return out;
  }

  function supported() {
    return !!(window.crypto && crypto.subtle && window.indexedDB);
  }

  /* The key record of this member on this phone, made if there is none: {member_id, pair, public_hex, kid}. */
  function ensureKey(memberId) {
    return get("key").then(function (rec) {
      if (rec && rec.member_id === memberId) return rec;
      return crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]).then(function (pair) {
        return crypto.subtle.exportKey("raw", pair.publicKey).then(function (raw) {
          return crypto.subtle.digest("SHA-256", raw).then(function (digest) {
            var r = { member_id: memberId, pair: pair, public_hex: hex(new Uint8Array(raw)),
                      kid: new Uint8Array(digest).slice(0, 4), registered: false };
            return put("key", r).then(function () { return r; });
          });
        });
      });
    });
  }

  function now() {
    var offset = parseInt(localStorage.getItem("pm-clock-offset") || "0", 10) || 0;
    return Date.now() + offset;
  }
  function stepAt(ms) { return Math.floor(ms / 1000 / STEP); }

  function code(rec, step) {
    var prefix = enc.encode("PM1:D:");
    var stepBytes = new Uint8Array([(step >>> 24) & 255, (step >>> 16) & 255, (step >>> 8) & 255, step & 255]);
    var body = concat([new Uint8Array([0]), uuidBytes(rec.member_id), rec.kid, stepBytes]);
    return crypto.subtle.sign({ name: "Ed25519" }, rec.pair.privateKey, concat([prefix, body])).then(function (sig) {
      return "PM1:D:" + base32(concat([body, new Uint8Array(sig)]));
    });
  }

  function drawQr(el, text) {
    var qr = qrcode(0, "M");
    qr.addData(text, /^[0-9A-Z $%*+\-.\/:]*$/.test(text) ? "Alphanumeric" : "Byte");
    qr.make();
    el.innerHTML = qr.createSvgTag({ cellSize: 6, margin: 2, scalable: true });
    el.setAttribute("data-code", text);
  }

  /* Register this phone's key with HQ (needs a fresh SMS sign-in): the page's form posts it. */
  function register(rec, url, csrf) {
    return code(rec, stepAt(now())).then(function (proof) {
      var body = new URLSearchParams({ public_key: rec.public_hex, proof: proof, csrf_token: csrf });
      return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                          headers: { "X-CSRF-Token": csrf, "Accept": "application/json" } });
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (p) { throw new Error(p.message || r.status); });
      rec.registered = true;
      return put("key", rec).then(function () { return rec; });
    });
  }

  window.PMCode = { supported: supported, ensureKey: ensureKey, code: code, drawQr: drawQr, register: register,
                    stepAt: stepAt, now: now, clear: clear, STEP: STEP };
})();
