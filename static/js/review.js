// The review of new photos: keyboard shortcuts, and decisions sent without reloading the page.
// A approves the current photo, R rejects it, N (or J, or the right arrow) moves to the next
// photo still waiting, P (or K, or the left arrow) back, X ticks it for "Approve/Reject ticked".
// Without this script the page works as a plain form, one reload per decision.
(function () {
  const form = document.querySelector("[data-review-form]");
  if (!form) return;
  const status = form.querySelector("[data-review-status]");
  const cards = () => Array.from(form.querySelectorAll("[data-review-card]"));
  const waiting = (card) => card && !card.dataset.decided;
  let current = null;

  function makeCurrent(card) {
    if (current) {
      current.classList.remove("current");
      current.removeAttribute("aria-current");
    }
    current = card || null;
    if (current) {
      current.classList.add("current");
      current.setAttribute("aria-current", "true");
      current.focus({ preventScroll: true });
      current.scrollIntoView({ block: "nearest" });
    }
  }

  // The nearest photo still waiting after `card` in `direction` (1 or -1); at the end, the
  // nearest one the other way, so deciding the last photo moves back to one still waiting.
  function nextWaiting(card, direction) {
    const all = cards();
    const at = all.indexOf(card);
    const ahead = direction > 0 ? all.slice(at + 1) : all.slice(0, Math.max(at, 0)).reverse();
    const behind = direction > 0 ? all.slice(0, Math.max(at, 0)).reverse() : all.slice(at + 1);
    return ahead.find(waiting) || (waiting(card) ? card : behind.find(waiting)) || null;
  }

  function markDecided(id, outcome, label) {
    const card = form.querySelector(`[data-review-card][data-image="${id}"]`);
    if (!card) return;
    card.dataset.decided = outcome;
    card.classList.add(outcome);
    card.querySelector("[data-outcome]").textContent = label;
    card.querySelectorAll("button, input[type=checkbox]").forEach((control) => {
      control.disabled = true;
      if (control.type === "checkbox") control.checked = false;
    });
  }

  async function send(data) {
    status.textContent = "Saving…";
    let answer;
    try {
      const response = await fetch(window.location.href, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
      // Anything but our JSON (a login page after the session ended, a 403) is a failure.
      if (!isJson) throw new Error(`the server answered ${response.status}; reload the page`);
      answer = await response.json();
      if (!response.ok) throw new Error(answer.error || `error ${response.status}`);
    } catch (error) {
      status.textContent = `Not saved: ${error.message}`;
      return;
    }
    const outcome = answer.decision === "approve" ? "approved" : "rejected";
    answer.decided.forEach((id) => markDecided(id, outcome, outcome === "approved" ? "Approved" : "Rejected"));
    answer.already.forEach((id) => markDecided(id, "already", "Decided already"));
    status.textContent = answer.message;
    const counter = document.querySelector("[data-pending-count]");
    if (counter) counter.textContent = Math.max(0, Number(counter.textContent) - answer.decided.length);
    if (!waiting(current)) makeCurrent(nextWaiting(current, 1));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(new FormData(form, event.submitter));
  });

  form.addEventListener("click", (event) => {
    const card = event.target.closest("[data-review-card]");
    if (card && waiting(card)) makeCurrent(card);
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input[type=text], input[type=search], textarea, select")) return;
    const key = event.key.toLowerCase();
    const press = (selector) => {
      if (!waiting(current)) return;
      event.preventDefault();
      current.querySelector(selector).click();
    };
    if (key === "a") press("[data-approve]");
    else if (key === "r") press("[data-reject]");
    else if (key === "x") press("input[type=checkbox]");
    else if (key === "n" || key === "j" || key === "arrowright") {
      event.preventDefault();
      makeCurrent(nextWaiting(current, 1) || current);
    } else if (key === "p" || key === "k" || key === "arrowleft") {
      event.preventDefault();
      makeCurrent(nextWaiting(current, -1) || current);
    }
  });

  makeCurrent(cards().find(waiting));
})();
