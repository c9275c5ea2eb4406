// The upload form: two ways to pick a photo (and drag and drop), checks before sending with the
// server's own messages, a copy shrunk to the size the server keeps, an upload with a real
// progress bar, and one result per click or tap. Without this script the form posts as usual.
(function () {
  const form = document.querySelector("[data-upload-form]");
  const examples = document.querySelector("[data-example-form]");
  let sending = false; // one upload or example at a time, whichever button was pressed

  if (examples) {
    examples.addEventListener("submit", (event) => {
      if (sending) {
        event.preventDefault();
        return;
      }
      sending = true;
      examples.classList.add("busy");
      examples.setAttribute("aria-busy", "true");
    });
  }
  // Coming back to the page from the history: it can be used again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    sending = false;
    if (examples) {
      examples.classList.remove("busy");
      examples.removeAttribute("aria-busy");
    }
    if (form) resetSending();
  });

  if (!form) return;
  const inputs = Array.from(form.querySelectorAll("[data-file]"));
  const zone = form.querySelector("[data-dropzone]");
  const submit = form.querySelector("[data-submit]");
  const errorBox = form.querySelector("[data-error]");
  const chosenBox = form.querySelector("[data-chosen]");
  const preview = form.querySelector("[data-preview]");
  const placeholder = form.querySelector("[data-placeholder]");
  const placeholderFormat = form.querySelector("[data-placeholder-format]");
  const fileName = form.querySelector("[data-file-name]");
  const fileNote = form.querySelector("[data-file-note]");
  const progressBox = form.querySelector("[data-progress]");
  const bar = form.querySelector("[data-progress-bar]");
  const progressText = form.querySelector("[data-progress-text]");
  const maxBytes = Number(form.dataset.maxBytes);
  const storedSize = Number(form.dataset.storedSize) || 2000;
  const TYPES = ["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"];
  const EXTENSIONS = ["jpg", "jpeg", "jpe", "png", "webp", "heic", "heif"];
  const submitLabel = submit.textContent;

  let chosen = null; // {file, body, decoded}: what was picked and what will be sent
  let previewUrl = null;
  let choosing = 0;

  submit.disabled = true; // until a photo is chosen (enabled without this script)

  function megabytes(bytes) {
    return (bytes / 1000000).toFixed(1);
  }

  function size(bytes) {
    return bytes < 100000 ? `${Math.max(1, Math.round(bytes / 1000))} KB` : `${megabytes(bytes)} MB`;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    inputs.forEach((input) => input.setAttribute("aria-describedby", "upload-hint upload-error"));
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    inputs.forEach((input) => input.setAttribute("aria-describedby", "upload-hint"));
  }

  function extension(name) {
    const dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
  }

  // By media type, and by extension when the browser knows no type (HEIC on many systems).
  function accepted(file) {
    const type = (file.type || "").toLowerCase();
    if (TYPES.includes(type)) return true;
    return (!type || type === "application/octet-stream") && EXTENSIONS.includes(extension(file.name));
  }

  // A JPEG no bigger than the copy the server keeps, turned the right way up; or the file as it
  // is when it is small enough already, or a format this browser cannot decode (HEIC).
  async function prepare(file) {
    if (!window.createImageBitmap) return { body: file, decoded: false };
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (error) {
      return { body: file, decoded: false };
    }
    const scale = Math.min(1, storedSize / Math.max(bitmap.width, bitmap.height));
    if (scale === 1) {
      bitmap.close();
      return { body: file, decoded: true };
    }
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // a JPEG has no transparency
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
    if (!blob) return { body: file, decoded: true };
    const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
    return { body: new File([blob], name, { type: "image/jpeg" }), decoded: true };
  }

  function showChosen(file, prepared) {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
    chosenBox.hidden = false;
    fileName.textContent = file.name;
    if (prepared && prepared.decoded) {
      previewUrl = URL.createObjectURL(prepared.body);
      preview.src = previewUrl;
      preview.hidden = false;
      placeholder.hidden = true;
    } else {
      // No preview in this browser (HEIC in most): the name and a placeholder say it is chosen.
      preview.hidden = true;
      preview.removeAttribute("src");
      placeholderFormat.textContent = (extension(file.name) || "photo").toUpperCase();
      placeholder.hidden = false;
    }
    if (!prepared) {
      fileNote.textContent = " Getting it ready…";
    } else if (prepared.body !== file) {
      fileNote.textContent = ` ${size(file.size)}, sent as a ${size(prepared.body.size)} copy`;
    } else {
      fileNote.textContent = ` ${size(file.size)}`;
    }
  }

  async function choose(file, from) {
    inputs.forEach((input) => {
      if (input !== from) input.value = ""; // one photo at a time
    });
    chosen = null;
    submit.disabled = true;
    clearError();
    if (!file) {
      chosenBox.hidden = true;
      return;
    }
    const ticket = ++choosing;
    showChosen(file, null);
    if (!accepted(file)) {
      showChosen(file, { body: file, decoded: false });
      fileNote.textContent = "";
      showError(form.dataset.notAnImage);
      return;
    }
    const prepared = await prepare(file);
    if (ticket !== choosing) return; // another photo was chosen meanwhile
    showChosen(file, prepared);
    if (prepared.body.size > maxBytes) {
      showError(form.dataset.tooLarge);
      return;
    }
    chosen = { file, body: prepared.body };
    submit.disabled = false;
  }

  inputs.forEach((input) =>
    input.addEventListener("change", () => choose(input.files && input.files[0], input))
  );

  ["dragenter", "dragover"].forEach((name) =>
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    })
  );
  ["dragleave", "drop"].forEach((name) =>
    zone.addEventListener(name, () => zone.classList.remove("dragging"))
  );
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    const files = event.dataTransfer.files;
    if (!files.length) return;
    const library = inputs[inputs.length - 1];
    try {
      library.files = files;
    } catch (error) {
      // Older browsers cannot set a file input's files: the dropped file is still sent.
    }
    choose(files[0], library);
  });

  function resetSending() {
    sending = false;
    form.removeAttribute("aria-busy");
    submit.textContent = submitLabel;
    submit.disabled = !chosen;
    inputs.forEach((input) => (input.disabled = false));
    progressBox.hidden = true;
  }

  let announced = -1;
  function showProgress(loaded, total) {
    const percent = total ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
    bar.value = percent;
    // The live text changes every 10 %, so a screen reader is not flooded.
    const step = Math.floor(percent / 10) * 10;
    if (step !== announced) {
      announced = step;
      progressText.textContent =
        percent >= 100
          ? `Sent: 100% (${megabytes(total)} MB). Opening your result…`
          : `Sending your photo: ${step}% (${megabytes(loaded)} of ${megabytes(total)} MB)`;
    }
  }

  function answerError(xhr) {
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch (error) {
      body = null;
    }
    const error = body && body.error;
    if (typeof error === "string") return error;
    if (error && error.message) return error.message;
    if (xhr.status === 413) return form.dataset.tooLarge;
    return "Something went wrong while sending your photo. Please try again.";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (sending) return;
    if (!chosen) {
      showError(form.dataset.nothingChosen);
      return;
    }
    sending = true;
    clearError();
    form.setAttribute("aria-busy", "true");
    submit.disabled = true;
    submit.textContent = "Sending…";
    const data = new FormData(form);
    data.delete("photo");
    data.append("photo", chosen.body, chosen.body.name || chosen.file.name);
    inputs.forEach((input) => (input.disabled = true));
    progressBox.hidden = false;
    announced = -1;
    showProgress(0, chosen.body.size);

    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) showProgress(progress.loaded, progress.total);
    });
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (error) {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body && body.url) {
        announced = -1;
        showProgress(chosen.body.size, chosen.body.size);
        window.location.assign(body.url);
        return;
      }
      resetSending(); // the photo stays chosen: fix what the message says, or send it again
      showError(answerError(xhr));
    });
    xhr.addEventListener("error", () => {
      resetSending();
      showError("The upload was interrupted. Check your connection and try again.");
    });
    xhr.send(data);
  });
})();
