// The moderation queue: one click (or one key) per decision, the row updated in place, focus
// on to the next open flag, and Undo for the last decisions. J/K (or the arrow keys) move
// between flags, C (or X) excludes the photo, D keeps it, M opens the move page, Z zooms on the
// whole photo, U undoes the last decision, ? lists the keys. Keys do nothing while typing;
// Escape leaves the search field for the flags.
// Without this script every button is a plain form post that comes back to the same page.
(function () {
  // --- zoom: the whole photo, its face outlined, in a <dialog> (queue and flag page) ---
  const zoom = document.querySelector("[data-zoom-dialog]");

  function openZoom(link) {
    if (!zoom || !link) return false;
    const [width, height] = link.dataset.zoomSize.split(" ");
    const [x, y, w, h] = link.dataset.zoomBox.split(" ");
    const svg = zoom.querySelector("[data-zoom-svg]");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    const image = zoom.querySelector("[data-zoom-image]");
    image.setAttribute("href", link.dataset.zoom);
    image.setAttribute("width", width);
    image.setAttribute("height", height);
    const box = zoom.querySelector("[data-zoom-box]");
    [["x", x], ["y", y], ["width", w], ["height", h]].forEach(([name, value]) => box.setAttribute(name, value));
    zoom.querySelector("[data-zoom-title]").textContent = link.dataset.zoomLabel;
    zoom.showModal();
    return true;
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-zoom]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && openZoom(link)) event.preventDefault();
  });

  // --- the move page: the autocomplete's box is named by the field's label ---
  const moveField = document.querySelector(".move-field");
  if (moveField) {
    const label = moveField.querySelector("label");
    const name = () => {
      const box = moveField.querySelector(".select2-selection[role=combobox]");
      if (!box || !label) return false;
      label.id = label.id || "move-label";
      box.setAttribute("aria-labelledby", label.id);
      box.setAttribute("aria-describedby", "move-help");
      const shown = box.querySelector("[role=textbox]");
      if (shown) shown.setAttribute("aria-labelledby", label.id);
      return true;
    };
    if (!name()) {
      const watch = new MutationObserver(() => name() && watch.disconnect());
      watch.observe(moveField, { childList: true, subtree: true });
    }
  }

  // --- the queue ---
  const form = document.getElementById("changelist-form");
  const status = document.querySelector("[data-queue-status]");
  const keys = document.querySelector("[data-keys-dialog]");
  const keysOpen = document.querySelector("[data-keys-open]");
  if (keys && keysOpen) keysOpen.addEventListener("click", () => keys.showModal());
  if (!form || !status) return;

  const rows = () => Array.from(form.querySelectorAll("#result_list tbody tr")).filter((row) => row.querySelector("[data-flag]"));
  const isOpen = (row) => row && row.querySelector("[data-flag]").hasAttribute("data-open") && !row.classList.contains("decided");
  const token = () => form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const undoStack = [];
  let current = null;

  function makeCurrent(row, focus = true) {
    if (current) {
      current.classList.remove("current");
      current.removeAttribute("aria-current");
    }
    current = row || null;
    if (!current) return;
    current.classList.add("current");
    current.setAttribute("aria-current", "true");
    current.tabIndex = -1;
    if (focus) {
      current.focus({ preventScroll: true });
      current.scrollIntoView({ block: "nearest" });
    }
  }

  // The nearest open flag after `row` in `direction`; at the end, the nearest one the other way.
  function nextOpen(row, direction) {
    const all = rows();
    const at = all.indexOf(row);
    const ahead = direction > 0 ? all.slice(at + 1) : all.slice(0, Math.max(at, 0)).reverse();
    const behind = direction > 0 ? all.slice(0, Math.max(at, 0)).reverse() : all.slice(at + 1);
    return ahead.find(isOpen) || (isOpen(row) ? row : behind.find(isOpen)) || null;
  }

  function step(direction) {
    const all = rows();
    if (!all.length) return;
    const at = all.indexOf(current);
    const next = at < 0 ? all[0] : all[Math.min(Math.max(at + direction, 0), all.length - 1)];
    makeCurrent(next);
  }

  function say(message, undo) {
    status.textContent = message;
    if (undo) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = "Undo";
      button.addEventListener("click", () => undoLast());
      status.append(" ", button);
    }
  }

  async function post(url, data) {
    data.append("csrfmiddlewaretoken", token());
    const response = await fetch(url, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json", "X-CSRFToken": token() },
      credentials: "same-origin",
    });
    const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
    // Anything but our JSON (a login page after the session ended, a 403) is a failure.
    if (!isJson) throw new Error(`the server answered ${response.status}; reload the page`);
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || `error ${response.status}`);
    return answer;
  }

  function markDecided(row, answer) {
    row.classList.add("decided");
    row.querySelectorAll("[data-decision]").forEach((control) => {
      if (control.tagName === "BUTTON") control.disabled = true;
      else control.setAttribute("aria-disabled", "true");
    });
    row.querySelector("[data-outcome]").textContent = `${answer.status}; photo ${answer.photo.toLowerCase()}`;
    const cell = row.querySelector("[data-status]");
    if (cell) cell.textContent = answer.status;
  }

  function markOpen(row, answer) {
    row.classList.remove("decided");
    row.querySelectorAll("[data-decision]").forEach((control) => {
      control.disabled = false;
      control.removeAttribute("aria-disabled");
    });
    row.querySelector("[data-outcome]").textContent = "";
    const cell = row.querySelector("[data-status]");
    if (cell) cell.textContent = answer.status;
  }

  async function decide(row, decision) {
    if (!isOpen(row)) return;
    const button = row.querySelector(`button[data-decision="${decision}"]`);
    if (!button) return;
    const data = new FormData();
    data.append("decision", decision);
    say("Saving…");
    let answer;
    try {
      answer = await post(button.formAction, data);
    } catch (error) {
      say(`Not saved: ${error.message}`);
      return;
    }
    markDecided(row, answer);
    if (answer.undo) undoStack.push({ url: answer.undo, row });
    say(answer.message, Boolean(answer.undo));
    makeCurrent(nextOpen(row, 1) || row);
  }

  async function undoLast() {
    const last = undoStack.pop();
    if (!last) {
      say("Nothing to undo.");
      return;
    }
    say("Undoing…");
    let answer;
    try {
      answer = await post(last.url, new FormData());
    } catch (error) {
      undoStack.push(last);
      say(`Not undone: ${error.message}`);
      return;
    }
    if (answer.open) markOpen(last.row, answer);
    say(answer.message, undoStack.length > 0);
    makeCurrent(last.row);
  }

  function move(row) {
    const link = row && row.querySelector("a[data-decision=move]");
    if (link && isOpen(row)) window.location.assign(link.href);
  }

  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (!button || !button.dataset.decision) return;
    const decision = button.dataset.decision;
    if (decision !== "confirm" && decision !== "dismiss") return; // reopen, restore: a plain post
    event.preventDefault();
    decide(button.closest("tr"), decision);
  });

  form.addEventListener("click", (event) => {
    const row = event.target.closest("#result_list tbody tr");
    if (row && row.querySelector("[data-flag]") && row !== current) makeCurrent(row, false);
  });

  const typing = (target) =>
    target.closest("input, textarea, select, [contenteditable], .select2-container") !== null;

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.key === "Escape" && event.target.id === "searchbar") {
      makeCurrent(current || nextOpen(null, 1)); // back from the search field to the flags
      return;
    }
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    const key = event.key;
    const actions = {
      j: () => step(1),
      ArrowDown: () => step(1),
      k: () => step(-1),
      ArrowUp: () => step(-1),
      c: () => decide(current, "confirm"),
      x: () => decide(current, "confirm"),
      d: () => decide(current, "dismiss"),
      m: () => move(current),
      z: () => openZoom(current && current.querySelector("a[data-zoom]")),
      u: () => undoLast(),
      "?": () => keys && keys.showModal(),
    };
    const action = actions[key.length === 1 && key !== "?" ? key.toLowerCase() : key];
    if (!action) return;
    if (!current && key !== "?" && key !== "u") makeCurrent(nextOpen(null, 1) || rows()[0], false);
    event.preventDefault();
    action();
  });

  makeCurrent(nextOpen(null, 1), false);
})();
