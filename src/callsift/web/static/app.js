// callsift review app: the player, the word under the playhead, graph zoom.
// No inline script anywhere (the Content Security Policy forbids it): every
// behaviour is attached here, by delegation, so fragments htmx swaps in work too.
"use strict";

(function () {
  const player = () => document.getElementById("player");
  let words = [];

  function collectWords() {
    words = Array.from(document.querySelectorAll(".w[data-start]")).map((el) => ({
      el,
      start: parseFloat(el.dataset.start),
      end: parseFloat(el.dataset.end),
    }));
    words.sort((a, b) => a.start - b.start);
  }

  function seek(seconds, play) {
    const audio = player();
    if (!audio || Number.isNaN(seconds)) return;
    audio.currentTime = seconds;
    if (play) audio.play().catch(() => {});
  }

  let current = null;
  function follow() {
    const audio = player();
    if (!audio) return;
    const t = audio.currentTime;
    let found = null;
    for (const w of words) {
      if (w.start <= t && t < Math.max(w.end, w.start + 0.05)) found = w.el;
      if (w.start > t) break;
    }
    if (found !== current) {
      if (current) current.classList.remove("now");
      if (found) found.classList.add("now");
      current = found;
    }
    const wave = document.getElementById("waveform");
    const head = document.getElementById("playhead");
    if (wave && head && audio.duration) {
      const x = (1000 * t) / audio.duration;
      head.setAttribute("x1", x);
      head.setAttribute("x2", x);
    }
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest(".w[data-start], .seek[data-start]");
    if (target) {
      event.preventDefault();
      seek(parseFloat(target.dataset.start), true);
      return;
    }
    const wave = event.target.closest("#waveform");
    if (wave) {
      const audio = player();
      const box = wave.getBoundingClientRect();
      const duration = audio && audio.duration ? audio.duration : parseFloat(wave.dataset.duration);
      seek(((event.clientX - box.left) / box.width) * duration, true);
    }
  });

  document.addEventListener("submit", (event) => {
    const audio = player();
    const field = event.target.querySelector(".current-time");
    if (field && audio && audio.currentTime > 0) field.value = audio.currentTime.toFixed(2);
  });

  document.addEventListener("DOMContentLoaded", () => {
    collectWords();
    const audio = player();
    if (audio) {
      audio.addEventListener("timeupdate", follow);
      audio.addEventListener("seeked", follow);
      const start = /#t=([0-9.]+)/.exec(window.location.hash);
      if (start) audio.addEventListener("loadedmetadata", () => seek(parseFloat(start[1]), false), { once: true });
    }
    zoomable(document.getElementById("graph"));
  });
  document.addEventListener("htmx:afterSettle", collectWords);

  function zoomable(svg) {
    if (!svg) return;
    let box = svg.viewBox.baseVal;
    let drag = null;
    svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const factor = event.deltaY < 0 ? 0.85 : 1 / 0.85;
      const rect = svg.getBoundingClientRect();
      const x = box.x + ((event.clientX - rect.left) / rect.width) * box.width;
      const y = box.y + ((event.clientY - rect.top) / rect.height) * box.height;
      box.x = x - (x - box.x) * factor;
      box.y = y - (y - box.y) * factor;
      box.width *= factor;
      box.height *= factor;
    }, { passive: false });
    svg.addEventListener("pointerdown", (event) => {
      if (event.target.closest("a")) return;
      drag = { x: event.clientX, y: event.clientY };
    });
    svg.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const rect = svg.getBoundingClientRect();
      box.x -= ((event.clientX - drag.x) / rect.width) * box.width;
      box.y -= ((event.clientY - drag.y) / rect.height) * box.height;
      drag = { x: event.clientX, y: event.clientY };
    });
    window.addEventListener("pointerup", () => { drag = null; });
  }
})();
