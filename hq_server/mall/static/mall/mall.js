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
