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
    // Zoom about a point; labels placed for zoom 2 or 4 (web/labels.py) show from there on.
    function zoomAt(factor, x, y) {
      box.x = x - (x - box.x) * factor;
      box.y = y - (y - box.y) * factor;
      box.width *= factor;
      box.height *= factor;
      const zoom = parseFloat(svg.dataset.size) / box.width;
      svg.classList.toggle("z2", zoom >= 1.9);
      svg.classList.toggle("z4", zoom >= 3.8);
    }
    svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const rect = svg.getBoundingClientRect();
      zoomAt(event.deltaY < 0 ? 0.85 : 1 / 0.85,
        box.x + ((event.clientX - rect.left) / rect.width) * box.width,
        box.y + ((event.clientY - rect.top) / rect.height) * box.height);
    }, { passive: false });
    document.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-zoom]");
      if (!button) return;
      zoomAt(button.dataset.zoom === "in" ? 0.5 : 2, box.x + box.width / 2, box.y + box.height / 2);
    });
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

// Listening and quoting: keyboard shortcuts, the speed control, marking a quote.
// Keys match by physical position (event.code) as well as by character, so they
// work on a Ukrainian or Russian keyboard layout too; none fires while typing.
(function () {
  const RATES = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
  const player = () => document.getElementById("player");

  function clock(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = (seconds - 60 * minutes).toFixed(1).padStart(4, "0");
    return `${minutes}:${rest}`;
  }

  function typing(target) {
    return target instanceof Element &&
      (target.closest("input, textarea, select, [contenteditable]") !== null);
  }

  function action(event) {
    const key = event.key;
    const code = event.code;
    if (key === " " || code === "Space" || code === "KeyK") return "toggle";
    if (key === "ArrowLeft" || code === "KeyJ") return "back";
    if (key === "ArrowRight" || code === "KeyL") return "forward";
    if (code === "KeyN") return "next";
    if (code === "KeyP") return "previous";
    if (key === "<" || (event.shiftKey && code === "Comma")) return "slower";
    if (key === ">" || (event.shiftKey && code === "Period")) return "faster";
    if (code === "BracketLeft") return "mark-start";
    if (code === "BracketRight") return "mark-end";
    if (key === "?" || (event.shiftKey && code === "Slash")) return "keys";
    return null;
  }

  function skip(audio, seconds) {
    const end = Number.isFinite(audio.duration) ? audio.duration : Infinity;
    audio.currentTime = Math.min(Math.max(0, audio.currentTime + seconds), end);
  }

  function segmentStarts() {
    return Array.from(document.querySelectorAll(".segment[data-start]"))
      .map((el) => ({ el, start: parseFloat(el.dataset.start) }))
      .filter((s) => !Number.isNaN(s.start))
      .sort((a, b) => a.start - b.start);
  }

  function jump(audio, forward) {
    const t = audio.currentTime;
    const starts = segmentStarts();
    // Back goes to the segment before the one playing unless a second into it (a player's "previous").
    const found = forward ? starts.find((s) => s.start > t + 0.05)
      : starts.filter((s) => s.start < t - 1).pop();
    if (!found) return;
    audio.currentTime = found.start;
    found.el.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function setRate(audio, rate) {
    audio.defaultPlaybackRate = rate;
    audio.playbackRate = rate;
    showRate(audio); // at once; "ratechange" (any other change of speed) comes later
  }

  function step(audio, direction) {
    const now = audio.playbackRate;
    const index = RATES.reduce((best, r, i) => (Math.abs(r - now) < Math.abs(RATES[best] - now) ? i : best), 0);
    setRate(audio, RATES[Math.min(RATES.length - 1, Math.max(0, index + direction))]);
  }

  function showRate(audio) {
    const select = document.getElementById("speed");
    if (!select) return;
    const rate = RATES.reduce((best, r) => (Math.abs(r - audio.playbackRate) < Math.abs(best - audio.playbackRate) ? r : best), 1);
    select.value = String(rate);
  }

  function showSpan() {
    const start = document.getElementById("quote-start");
    const end = document.getElementById("quote-end");
    const span = document.getElementById("quote-span");
    if (!start || !end || !span) return;
    const a = parseFloat(start.value);
    const b = parseFloat(end.value);
    if (Number.isNaN(a) && Number.isNaN(b)) { span.hidden = true; return; }
    span.hidden = false;
    span.textContent = `${Number.isNaN(a) ? "…" : clock(a)} – ${Number.isNaN(b) ? "…" : clock(b)} ↓`;
  }

  function mark(which, seconds) {
    const field = document.getElementById(which === "start" ? "quote-start" : "quote-end");
    if (!field || Number.isNaN(seconds)) return;
    field.value = seconds.toFixed(2);
    field.setCustomValidity("");
    showSpan();
  }

  // The words of the transcript the reader selected (mouse, or a long press on a phone):
  // kept when the selection is made, since tapping a button may clear it.
  let selected = null;
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    const button = document.getElementById("quote-words");
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const words = Array.from(document.querySelectorAll(".transcript .w[data-start]"))
      .filter((el) => range.intersectsNode(el));
    if (!words.length) return;
    selected = {
      start: Math.min(...words.map((el) => parseFloat(el.dataset.start))),
      end: Math.max(...words.map((el) => parseFloat(el.dataset.end))),
    };
    if (button) button.disabled = false;
  });

  document.addEventListener("keydown", (event) => {
    const audio = player();
    if (!audio || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const what = action(event);
    if (!what) return;
    // Space on a focused button or link presses it; on the player, the player plays.
    if (what === "toggle" && event.target instanceof Element &&
        event.target.closest("button, a, summary, audio")) return;
    event.preventDefault();
    if (what === "toggle") {
      if (audio.paused) audio.play().catch(() => {}); else audio.pause();
    } else if (what === "back") skip(audio, -5);
    else if (what === "forward") skip(audio, 5);
    else if (what === "next" || what === "previous") jump(audio, what === "next");
    else if (what === "slower" || what === "faster") step(audio, what === "faster" ? 1 : -1);
    else if (what === "mark-start") mark("start", audio.currentTime);
    else if (what === "mark-end") mark("end", audio.currentTime);
    else if (what === "keys") {
      const keys = document.getElementById("keys");
      if (keys) keys.open = !keys.open;
    }
  });

  document.addEventListener("click", (event) => {
    const audio = player();
    const button = event.target.closest("[data-skip], [data-mark], .use-mine");
    if (!button) return;
    if (button.classList.contains("use-mine")) {
      const box = button.form && button.form.querySelector("textarea[name=text]");
      if (box) { box.value = button.dataset.text; box.focus(); }
      return;
    }
    if (!audio) return;
    if (button.dataset.skip) skip(audio, parseFloat(button.dataset.skip));
    else if (button.dataset.mark === "words" && selected) {
      mark("start", selected.start);
      mark("end", selected.end);
    } else if (button.dataset.mark) mark(button.dataset.mark, audio.currentTime);
  });

  document.addEventListener("change", (event) => {
    const audio = player();
    if (event.target.id === "speed" && audio) setRate(audio, parseFloat(event.target.value));
    if (event.target.id === "quote-start" || event.target.id === "quote-end") showSpan();
  });

  // The browser checks each time; that the end follows the start, and the length, are checked here.
  document.addEventListener("submit", (event) => {
    if (event.target.id !== "quote-form") return;
    const start = parseFloat(document.getElementById("quote-start").value);
    const end = document.getElementById("quote-end");
    const length = parseFloat(end.value) - start;
    end.setCustomValidity(length <= 0 ? end.dataset.after : length > 300 ? end.dataset.longest : "");
    if (!end.reportValidity()) event.preventDefault();
  });

  // A note saved is cleared from its box; a refused one stays as typed.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (event.detail.successful && form instanceof HTMLFormElement && form.classList.contains("clear-on-save")) {
      form.querySelectorAll("textarea").forEach((box) => { box.value = ""; });
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const audio = player();
    if (!audio) return;
    audio.addEventListener("ratechange", () => showRate(audio));
    showRate(audio);
  });
})();

// --- Finding and browsing (#12) -------------------------------------------
// A search hit links to /cases/X/calls/ID#seg-SEGMENT: scroll that segment into
// view, mark it for a moment, and seek the player to its start once the audio's
// metadata is known. On the calls list, "tick all" ticks every call of the page.
(function () {
  function openSegment() {
    const wanted = /^#seg-(\d+)$/.exec(window.location.hash);
    const segment = wanted && document.getElementById("seg-" + wanted[1]);
    if (!segment) return;
    // Its top just under the sticky player, which would otherwise cover it.
    const bar = document.querySelector(".player");
    const covered = bar ? bar.getBoundingClientRect().height : 0;
    segment.style.scrollMarginTop = `${Math.ceil(covered) + 8}px`;
    segment.scrollIntoView({ block: "start" });
    segment.classList.add("found");
    window.setTimeout(() => segment.classList.remove("found"), 4000);
    const start = parseFloat(segment.dataset.start);
    const audio = document.getElementById("player");
    if (!audio || Number.isNaN(start)) return;
    const seek = () => { audio.currentTime = start; };
    if (audio.readyState >= 1) seek();
    else audio.addEventListener("loadedmetadata", seek, { once: true });
  }
  document.addEventListener("DOMContentLoaded", openSegment);
  window.addEventListener("hashchange", openSegment);

  document.addEventListener("change", (event) => {
    const all = event.target.closest("input.select-all");
    const form = all && document.getElementById(all.dataset.form);
    if (!form) return;
    form.querySelectorAll("input[type=checkbox][name=call]").forEach((box) => {
      box.checked = all.checked;
    });
  });
})();
