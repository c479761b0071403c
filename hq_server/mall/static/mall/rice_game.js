/* "Grab the rice": grains fall, the member's bowl catches them. The page only counts: when the time is
 * up it sends the count with HQ's play ticket, and HQ decides the award (programme.points_game). At most
 * data-per-second grains fall a second, as HQ assumes when it judges a count. */
(function () {
  "use strict";
  var root = document.getElementById("game"), canvas = document.getElementById("field");
  var form = document.getElementById("finish-form"), catches = document.getElementById("catches");
  var caughtEl = document.getElementById("caught"), clock = document.getElementById("clock");
  var hint = document.getElementById("hint");
  var seconds = parseInt(root.dataset.seconds, 10), perSecond = parseFloat(root.dataset.perSecond) || 2;
  var ctx = canvas.getContext("2d"), ratio = window.devicePixelRatio || 1;
  var W = 0, H = 0, bowlX = 0.5, grains = [], caught = 0, started = null, nextDrop = 0, over = false;
  var FALL_S = 2.2;

  function size() {
    var rect = canvas.getBoundingClientRect();
    W = rect.width; H = rect.height;
    canvas.width = Math.round(W * ratio); canvas.height = Math.round(H * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  function bowl() {
    var w = Math.max(64, W * 0.24);
    return { x: bowlX * W - w / 2, y: H - 56, w: w, h: 34 };
  }

  function moveTo(clientX) {
    var rect = canvas.getBoundingClientRect();
    bowlX = Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
    if (hint) { hint.remove(); hint = null; }
  }

  canvas.addEventListener("pointerdown", function (e) { moveTo(e.clientX); });
  canvas.addEventListener("pointermove", function (e) { moveTo(e.clientX); });
  canvas.addEventListener("touchmove", function (e) { moveTo(e.touches[0].clientX); e.preventDefault(); },
                          { passive: false });
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft") bowlX = Math.max(0, bowlX - 0.08);
    if (e.key === "ArrowRight") bowlX = Math.min(1, bowlX + 0.08);
  });

  function draw(now) {
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = "#f6e7c1";
    grains.forEach(function (g) {
      ctx.save(); ctx.translate(g.x * W, g.y); ctx.rotate(g.turn);
      ctx.beginPath(); ctx.ellipse(0, 0, 7, 12, 0, 0, Math.PI * 2); ctx.fill();
      ctx.strokeStyle = "#d9b96b"; ctx.stroke(); ctx.restore();
    });
    var b = bowl();
    ctx.fillStyle = "#c8102e";
    ctx.beginPath();
    ctx.moveTo(b.x, b.y); ctx.lineTo(b.x + b.w, b.y);
    ctx.quadraticCurveTo(b.x + b.w, b.y + b.h, b.x + b.w / 2, b.y + b.h);
    ctx.quadraticCurveTo(b.x, b.y + b.h, b.x, b.y);
    ctx.fill();
    ctx.fillStyle = "#fff"; ctx.fillRect(b.x + 6, b.y + 3, b.w - 12, 3);
  }

  function finish() {
    over = true;
    catches.value = String(caught);
    clock.textContent = "0";
    setTimeout(function () { form.submit(); }, 500);
  }

  function tick(now) {
    if (over) return;
    if (started === null) { started = now; nextDrop = now + 300; }
    var t = (now - started) / 1000, left = Math.max(0, seconds - t);
    clock.textContent = String(Math.ceil(left));
    if (now >= nextDrop && left > FALL_S * 0.5) {
      grains.push({ x: 0.08 + Math.random() * 0.84, y: -10, v: (H + 20) / FALL_S, turn: Math.random() * 3, at: now });
      nextDrop = now + 1000 / perSecond;
    }
    var b = bowl();
    grains = grains.filter(function (g) {
      g.y = -10 + g.v * (now - g.at) / 1000;
      if (g.y >= b.y && g.y <= b.y + b.h && g.x * W >= b.x && g.x * W <= b.x + b.w) {
        caught += 1; caughtEl.textContent = String(caught);
        return false;
      }
      return g.y < H + 20;
    });
    draw(now);
    if (left <= 0) { finish(); return; }
    requestAnimationFrame(tick);
  }

  window.addEventListener("resize", size);
  size();
  requestAnimationFrame(tick);
})();
