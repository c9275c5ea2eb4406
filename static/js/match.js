// The finished result: sharing, rating, reporting and the owner's switches, all in place. (progress.js follows a match while it runs.)
(function () {
  const root = document.querySelector("[data-match]");
  if (!root) return;
  const json = { Accept: "application/json" };
  let copiedTimer = null;

  function showCopied() {
    const copied = root.querySelector("[data-copied]");
    if (!copied) return;
    copied.hidden = false;
    clearTimeout(copiedTimer);
    copiedTimer = setTimeout(() => {
      copied.hidden = true;
    }, 4000);
  }

  async function copyLink() {
    const field = root.querySelector("[data-share-url]");
    if (!field) return;
    try {
      await navigator.clipboard.writeText(field.value);
    } catch (error) {
      field.select();
      document.execCommand("copy");
    }
    showCopied();
  }

  function offerNativeShare() {
    const button = root.querySelector("[data-native-share]");
    if (button && typeof navigator.share === "function") button.hidden = false;
  }

  async function post(form, submitter) {
    const body = new FormData(form);
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    return fetch(form.action, { method: "POST", body, headers: json, credentials: "same-origin" });
  }

  function say(container, text) {
    const status = container.querySelector("[data-status]");
    if (!status) return;
    status.textContent = text;
    status.focus();
  }

  async function rate(form, submitter) {
    const response = await post(form, submitter);
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      say(form, answer.message || "That did not work; please try again.");
      return;
    }
    form.querySelectorAll("button[name=verdict]").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.value === answer.rating));
    });
    say(form, answer.message);
  }

  async function report(form) {
    const details = form.closest("details");
    const response = await post(form, null);
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      say(details, answer.message || "That did not work; please try again.");
      return;
    }
    const done = document.createElement("p");
    done.className = "reported";
    done.dataset.reported = "";
    done.setAttribute("role", "status");
    done.tabIndex = -1;
    done.textContent = answer.message;
    details.replaceWith(done);
    done.focus();
  }

  // A visibility switch: the view answers with the page itself (after its redirect), from
  // which the share and owner sections are taken, so the page changes without a reload.
  async function switchVisibility(form, submitter) {
    const thenCopy = form.hasAttribute("data-then-copy");
    const response = await post(form, submitter);
    if (!response.ok) {
      submitPlainly(form, submitter);
      return;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    ["[data-share]", ".owner-controls"].forEach((selector) => {
      const now = root.querySelector(selector);
      const then = fresh.querySelector(selector);
      if (now && then) now.replaceWith(document.importNode(then, true));
    });
    offerNativeShare();
    if (thenCopy) {
      await copyLink();
      const copy = root.querySelector("[data-copy]");
      if (copy) copy.focus();
    } else {
      const heading = root.querySelector("#owner-title");
      const says = root.querySelector("[data-visibility-says]");
      if (says) {
        says.setAttribute("role", "status");
        says.tabIndex = -1;
        says.focus();
      } else if (heading) heading.focus();
    }
  }

  // Without the in-place answer (a network error), send the form the ordinary way.
  function submitPlainly(form, submitter) {
    if (submitter && submitter.name) {
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = submitter.name;
      field.value = submitter.value;
      form.appendChild(field);
    }
    form.submit();
  }

  root.addEventListener("click", (event) => {
    if (event.target.closest("[data-copy]")) {
      copyLink();
    } else if (event.target.closest("[data-native-share]")) {
      const field = root.querySelector("[data-share-url]");
      navigator
        .share({ url: field.value, title: document.title, text: document.title })
        .catch(() => {});
    }
  });

  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !window.fetch) return;
    let handler = null;
    if (form.matches("[data-rate]")) handler = rate;
    else if (form.matches("[data-report]")) handler = report;
    else if (form.matches("[data-visibility]")) handler = switchVisibility;
    if (!handler) return;
    event.preventDefault();
    handler(form, event.submitter).catch(() => submitPlainly(form, event.submitter));
  });

  offerNativeShare();
})();
