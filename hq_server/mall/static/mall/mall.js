/* Every mall page: the service worker (the member code offline), what signing out forgets on this
 * phone (the cached code page, the phone's key), copy buttons, QR drawings of links, buttons that fill a field. */
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-signed-out]")) {
      if (window.caches) caches.keys().then(function (names) {
        names.forEach(function (n) { if (n.indexOf("pm-mall-") === 0) caches.delete(n); });
      });
      if (window.indexedDB) indexedDB.deleteDatabase("pm-mall");
      localStorage.removeItem("pm-clock-offset");
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-qr]"), function (el) {
      if (!window.qrcode) return;
      var qr = qrcode(0, "M"); qr.addData(el.dataset.qr, "Byte"); qr.make();
      el.innerHTML = qr.createSvgTag({ cellSize: 5, margin: 2, scalable: true });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (btn) {
      btn.addEventListener("click", function () {
        var box = document.querySelector(btn.dataset.copy);
        box.select();
        var done = function () { btn.textContent = btn.dataset.done; };
        if (navigator.clipboard) navigator.clipboard.writeText(box.value).then(done, done); else { document.execCommand("copy"); done(); }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-fill]"), function (btn) {
      btn.addEventListener("click", function () { document.querySelector(btn.dataset.fill).value = btn.dataset.value; });
    });
    // a form that orders, buys or withdraws is sent once: a second tap waits for the first (the server
    // keys it too, so a second request is the same order)
    Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), function (form) {
      form.addEventListener("submit", function (ev) {
        if (form.dataset.sent) { ev.preventDefault(); return; }
        form.dataset.sent = "1";
        setTimeout(function () { Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) { b.disabled = true; }); }, 0);
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
      form.addEventListener("submit", function (ev) { if (!window.confirm(form.dataset.confirm)) ev.preventDefault(); });
    });
    // pickup or delivery: show the choices of the one chosen
    Array.prototype.forEach.call(document.querySelectorAll("input[name=mode]"), function (radio) {
      radio.addEventListener("change", function () {
        document.querySelector(".when-pickup").hidden = radio.value !== "pickup";
        document.querySelector(".when-delivery").hidden = radio.value !== "delivery";
      });
    });
    var ends = document.querySelectorAll(".countdown-to[data-ends]");
    if (ends.length) {
      var tick = function () {
        Array.prototype.forEach.call(ends, function (el) {
          var left = Math.max(0, Math.floor((Date.parse(el.dataset.ends) - Date.now()) / 1000));
          var pad = function (n) { return (n < 10 ? "0" : "") + n; };
          el.querySelector(".left").textContent = (left >= 86400 ? Math.floor(left / 86400) + el.dataset.day + " " : "") +
            pad(Math.floor(left % 86400 / 3600)) + ":" + pad(Math.floor(left % 3600 / 60)) + ":" + pad(left % 60);
        });
      };
      setInterval(tick, 1000);
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-wait]"), function (btn) {
      var left = parseInt(btn.dataset.wait, 10), label = btn.textContent;
      btn.disabled = true; btn.textContent = label + " (" + left + ")";
      var timer = setInterval(function () {
        left -= 1; btn.textContent = label + " (" + left + ")";
        if (left <= 0) { clearInterval(timer); btn.disabled = false; btn.textContent = label; }
      }, 1000);
    });
  });
})();
