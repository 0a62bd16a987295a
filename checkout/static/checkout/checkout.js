// Checkout tab: COPY buttons (data-copy names the element whose text is copied).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const text = source.value !== undefined ? source.value : source.textContent.trim();
  const done = () => { button.textContent = "COPIED"; button.dataset.copied = text; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => { source.select && source.select(); });
  } else {
    source.select && source.select();
    document.execCommand("copy");
    done();
  }
});

// A form with data-confirm asks before it is sent (a new key, deleting an option).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
