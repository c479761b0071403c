/* Scanning a label. Where the browser reads codes itself (BarcodeDetector: Chrome on Android, Safari
 * 17+) the camera scans live, or a photo is read here, and only the code's text goes to HQ. Elsewhere the
 * photo goes to HQ, made smaller first (a phone's 4 MB photo becomes ~300 KB: a slow network matters
 * more than a second's drawing), and HQ reads it. Without script the photo form posts as it is. */
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var photoForm = document.getElementById("photo-form"), photo = document.getElementById("photo");
  var codeForm = document.getElementById("code-form"), code = document.getElementById("code");
  var status = document.getElementById("scan-status");
  var detector = null;
  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }

  function say(key) { status.textContent = status.dataset[key] || ""; }

  function pick(found) {
    var texts = (found || []).map(function (c) { return c.rawValue || ""; }).filter(Boolean);
    var labels = texts.filter(function (t) { return /^PM1:L:/i.test(t); });
    return labels[0] || texts[0] || null;
  }

  function sendCode(text) {
    say("sending");
    code.value = text;
    codeForm.submit();
  }

  function shrink(file) {
    if (!window.createImageBitmap) return Promise.reject(new Error("no bitmap"));
    return createImageBitmap(file).then(function (bmp) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bmp.width * scale); canvas.height = Math.round(bmp.height * scale);
      canvas.getContext("2d").drawImage(bmp, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { blob ? resolve(blob) : reject(new Error("no blob")); }, "image/jpeg", 0.9);
      });
    });
  }

  function upload(file) {
    say("sending");
    shrink(file).then(function (blob) {
      if (blob.size < file.size && window.DataTransfer) {
        var dt = new DataTransfer();
        dt.items.add(new File([blob], "label.jpg", { type: "image/jpeg" }));
        photo.files = dt.files;
      }
      photoForm.submit();
    }, function () { photoForm.submit(); });
  }

  photo.addEventListener("change", function () {
    var file = photo.files && photo.files[0];
    if (!file) return;
    say("reading");
    if (!detector || !window.createImageBitmap) { upload(file); return; }
    createImageBitmap(file).then(function (bmp) { return detector.detect(bmp); }).then(function (found) {
      var text = pick(found);
      if (text) sendCode(text); else upload(file);
    }, function () { upload(file); });
  });

  // --- the live camera (only where the browser reads codes itself) ---------------------------------
  var start = document.getElementById("live-start"), stop = document.getElementById("live-stop");
  var live = document.getElementById("live"), video = document.getElementById("live-video");
  var stream = null, timer = null;
  if (!detector || !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) return;
  start.hidden = false;

  function end() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    live.hidden = true; start.hidden = false;
  }

  function look() {
    detector.detect(video).then(function (found) {
      var text = pick(found);
      if (text && /^PM1:L:/i.test(text)) { end(); sendCode(text); return; }
      timer = setTimeout(look, 250);
    }, function () { timer = setTimeout(look, 500); });
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s; video.srcObject = s;
      live.hidden = false; start.hidden = true;
      say("nothing");
      return video.play();
    }).then(look, function () { end(); say("noCamera"); });
  });
  stop.addEventListener("click", end);
  window.addEventListener("pagehide", end);
})();
