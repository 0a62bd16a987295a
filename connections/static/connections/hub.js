/* Integration hub: a little progressive enhancement. Every page works without it. */
(function () {
  "use strict";

  // Loaded in <head> without defer, so that this runs before the page is drawn.
  document.documentElement.classList.replace("no-js", "js");

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  /* ---------------------------------------------------------------- toasts and pop-ups */
  function initToasts() {
    $$(".toast").forEach((toast) => {
      const close = $("[data-toast-close]", toast);
      if (close) close.addEventListener("click", () => toast.remove());
      if (toast.classList.contains("success") || toast.classList.contains("info")) {
        setTimeout(() => toast.remove(), 7000);
      }
    });
    $$("dialog[data-popup]").forEach((dialog) => {
      if (dialog.open) dialog.close();
      dialog.showModal();
    });
    document.addEventListener("click", (event) => {
      const closer = event.target.closest("[data-dialog-close]");
      if (closer) closer.closest("dialog").close();
    });
  }

  /* ---------------------------------------------------------------- delete confirmation */
  let pendingDelete = null;

  function askDelete(name, onConfirm) {
    const dialog = $("#delete-dialog");
    if (!dialog) return onConfirm();
    $("[data-delete-name]", dialog).textContent = name;
    pendingDelete = onConfirm;
    dialog.showModal();
    $("[data-dialog-close]", dialog).focus();
  }

  function addConfirm(form) {
    let input = $("input[name=confirm]", form);
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirm";
      form.appendChild(input);
    }
    input.value = "yes";
  }

  function initDelete() {
    const dialog = $("#delete-dialog");
    if (!dialog) return;
    $("[data-delete-confirm]", dialog).addEventListener("click", () => {
      dialog.close();
      if (pendingDelete) pendingDelete();
      pendingDelete = null;
    });
    // The connection page: a form.
    $$("form[data-confirm-delete]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        askDelete(form.dataset.name, () => {
          addConfirm(form);
          form.submit();
        });
      });
    });
  }

  /* ---------------------------------------------------------------- the CONNECTIONS list */
  function listRoot() {
    return $("[data-connection-list]");
  }

  function selectedBoxes() {
    return $$("input[data-row-select]:checked");
  }

  function updateSelection() {
    const root = listRoot();
    if (!root) return;
    const boxes = $$("input[data-row-select]:not(:disabled)");
    const chosen = boxes.filter((b) => b.checked);
    const active = chosen.filter((b) => b.dataset.status === "active").length;
    const inactive = chosen.filter((b) => b.dataset.status === "inactive").length;
    const count = chosen.length;
    $$("input[data-row-select]").forEach((b) => b.closest("tr").classList.toggle("selected", b.checked));
    const all = $("input[data-select-all]");
    if (all) {
      all.checked = count > 0 && count === boxes.length;
      all.indeterminate = count > 0 && count < boxes.length;
      all.disabled = boxes.length === 0;
    }
    const normal = $("[data-toolbar=normal]", root);
    const editing = $("[data-toolbar=editing]", root);
    normal.hidden = count > 0;
    editing.hidden = count === 0;
    $("[data-selected-count]", root).textContent = `${count} selected`;
    const show = {
      delete: count === 1,
      synchronize: count === 1,
      disable: active > 0,
      enable: inactive > 0,
      edit: count === 1,
    };
    $$("[data-action]", editing).forEach((button) => {
      button.hidden = !show[button.dataset.action];
    });
    const sync = $("[data-action=synchronize]", editing);
    if (sync) {
      const needsEnable = count === 1 && active === 0;
      sync.disabled = needsEnable;
      sync.title = needsEnable ? "Enable the connection before synchronizing it" : "Run every enabled dataflow now";
    }
  }

  function initList() {
    const root = listRoot();
    if (!root) return;
    const form = $("#bulk-form");

    document.addEventListener("change", (event) => {
      const target = event.target;
      if (target.matches("input[data-select-all]")) {
        $$("input[data-row-select]:not(:disabled)").forEach((b) => { b.checked = target.checked; });
        updateSelection();
      } else if (target.matches("input[data-row-select]")) {
        updateSelection();
      }
    });

    // Clicking a row opens the connection (not when clicking its checkbox or a link).
    root.addEventListener("click", (event) => {
      const row = event.target.closest("tr[data-href]");
      if (!row || event.target.closest("input, a, button, label, td.sel")) return;
      if (window.getSelection && String(window.getSelection())) return;
      window.location.href = row.dataset.href;
    });
    root.addEventListener("click", (event) => {
      const cell = event.target.closest("td.sel");
      if (cell && !event.target.closest("input")) {
        const box = $("input", cell);
        if (box && !box.disabled) { box.checked = !box.checked; updateSelection(); }
      }
    });

    const clear = $("[data-clear-selection]", root);
    if (clear) clear.addEventListener("click", () => {
      $$("input[data-row-select]").forEach((b) => { b.checked = false; });
      updateSelection();
    });

    const edit = $("[data-action=edit]", root);
    if (edit) edit.addEventListener("click", (event) => {
      const chosen = selectedBoxes();
      if (chosen.length === 1) {
        event.preventDefault();
        window.location.href = chosen[0].closest("tr").dataset.href;
      }
    });

    const del = $("[data-action=delete]", root);
    if (del) del.addEventListener("click", (event) => {
      const chosen = selectedBoxes();
      if (chosen.length !== 1) return;
      event.preventDefault();
      askDelete(chosen[0].dataset.name, () => {
        addConfirm(form);
        form.action = del.getAttribute("formaction");
        form.submit();
      });
    });

    // Refresh without reloading the page; keep the selection.
    const refresh = $("[data-refresh]", root);
    if (refresh) refresh.addEventListener("click", (event) => {
      event.preventDefault();
      refresh.classList.add("spinning");
      swapLive($("#connections-table")).finally(() => refresh.classList.remove("spinning"));
    });

    // Filters apply as soon as a drop-down changes.
    $$("form[data-filters] select").forEach((select) => {
      select.addEventListener("change", () => select.form.requestSubmit());
    });

    initColumnsBar(root);
    updateSelection();
  }

  /* ---------------------------------------------------------------- the columns bar */
  function initColumnsBar(root) {
    const toggle = $("[data-toggle-columns]", root);
    const bar = $("[data-columns-bar]", root);
    if (!toggle || !bar) return;
    toggle.addEventListener("click", () => {
      bar.hidden = !bar.hidden;
      toggle.setAttribute("aria-expanded", String(!bar.hidden));
    });
    const form = $("form", bar);
    $$("input[name=shown]", bar).forEach((box) => {
      box.addEventListener("change", () => {
        if ($$("input[name=shown]:checked", bar).length === 0) {
          box.checked = true;
          return;
        }
        form.requestSubmit();
      });
    });
    // Drag a chip to reorder; the drop saves.
    let dragged = null;
    $$(".colchip", bar).forEach((chip) => {
      chip.addEventListener("dragstart", (event) => {
        dragged = chip;
        chip.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", chip.dataset.key);
      });
      chip.addEventListener("dragend", () => {
        chip.classList.remove("dragging");
        $$(".drop-before", bar).forEach((c) => c.classList.remove("drop-before"));
      });
      chip.addEventListener("dragover", (event) => {
        if (!dragged || dragged === chip) return;
        event.preventDefault();
        $$(".drop-before", bar).forEach((c) => c.classList.remove("drop-before"));
        chip.classList.add("drop-before");
      });
      chip.addEventListener("drop", (event) => {
        event.preventDefault();
        if (!dragged || dragged === chip) return;
        chip.parentNode.insertBefore(dragged, chip);
        form.requestSubmit();
      });
    });
  }

  /* ---------------------------------------------------------------- live refresh */
  // An element with data-live-url is refreshed from that URL (a small HTML fragment) every few
  // seconds while the fragment says something is going on (data-active). A fragment with
  // data-swap-children updates each child by id instead of replacing itself. Elements with
  // data-live-part after the fragment (e.g. a tab's badge) replace the page's element of the
  // same id.
  const POLL_MS = 2500;

  async function swapLive(element) {
    if (!element) return null;
    const keep = selectedBoxes().map((b) => b.value);
    const response = await fetch(element.dataset.liveUrl, {
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    if (!response.ok || response.redirected) return null;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    $$("[data-live-part][id]", doc.body).forEach((node) => {
      node.remove();
      const current = document.getElementById(node.id);
      if (current) current.replaceWith(node);
    });
    const fresh = doc.body.firstElementChild;
    if (!fresh) return null;
    if (fresh.hasAttribute("data-swap-children")) {
      $$("[id]", fresh).forEach((node) => {
        const current = document.getElementById(node.id);
        if (current && !current.contains(document.activeElement)) current.replaceWith(node);
      });
      element.dataset.active = fresh.dataset.active || "";
      if (!fresh.dataset.active) element.removeAttribute("data-active");
    } else {
      element.replaceWith(fresh);
      keep.forEach((id) => {
        const box = $(`input[data-row-select][value="${id}"]`);
        if (box && !box.disabled) box.checked = true;
      });
      updateSelection();
    }
    return fresh;
  }

  function poll(id) {
    setTimeout(async () => {
      const element = document.getElementById(id);
      if (!element || !element.hasAttribute("data-active")) return;
      try {
        const fresh = await swapLive(element);
        const now = document.getElementById(id);
        if (fresh && now && now.hasAttribute("data-active")) poll(id);
      } catch (error) {
        poll(id); // a network hiccup: try again
      }
    }, POLL_MS);
  }

  function initLive() {
    $$("[data-live-url][data-active]").forEach((element) => poll(element.id));
  }

  /* ---------------------------------------------------------------- connection page */
  function initNameEditor() {
    $$("[data-name-row]").forEach((row) => {
      const edit = $("[data-name-edit]", row);
      const cancel = $("[data-name-cancel]", row);
      const input = $("input[name=name]", row);
      if (!edit || !input) return;
      const original = input.value;
      edit.addEventListener("click", () => {
        row.classList.add("editing");
        input.focus();
        input.select();
      });
      const stop = () => { row.classList.remove("editing"); input.value = original; };
      if (cancel) cancel.addEventListener("click", stop);
      input.addEventListener("keydown", (event) => { if (event.key === "Escape") stop(); });
    });
  }

  function initDataflows() {
    $$("form[data-flow-form]").forEach((form) => {
      const save = $("[data-flow-save]", form) || $(`[data-flow-save][form="${form.id}"]`);
      const mark = () => save && save.classList.add("primary");
      $$(`[form="${form.id}"]`).forEach((input) => input.addEventListener("change", mark));
      $$("input, select", form).forEach((input) => input.addEventListener("change", mark));
    });
  }

  /* ---------------------------------------------------------------- create connection */
  function initCreate() {
    const form = $("form[data-create-connection]");
    if (!form) return;
    const driver = $("select[name=driver]", form);
    const credentials = $("[data-credentials]", form);
    const sync = () => { credentials.hidden = !driver.value; };
    driver.addEventListener("change", () => {
      sync();
      if (driver.value) $("input[name=store_hash]", form).focus();
    });
    sync();

    // Name: Apply confirms it (the field locks), Edit unlocks it.
    const name = $("input[name=name]", form);
    const apply = $("[data-name-apply]", form);
    const editName = $("[data-name-unlock]", form);
    const lock = (locked) => {
      name.readOnly = locked;
      apply.hidden = locked;
      editName.hidden = !locked;
    };
    apply.addEventListener("click", () => {
      if (!name.value.trim()) { name.focus(); return; }
      lock(true);
      driver.focus();
    });
    editName.addEventListener("click", () => { lock(false); name.focus(); });
    name.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !name.readOnly) { event.preventDefault(); apply.click(); }
    });
    lock(false);
  }

  /* ---------------------------------------------------------------- filters, tenant switch */
  // A <select data-autosubmit> submits its form when changed (no inline handlers: CSP).
  function initAutosubmit() {
    document.addEventListener("change", (event) => {
      const select = event.target.closest("select[data-autosubmit]");
      if (select && select.form) select.form.submit();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    initAutosubmit();
    initToasts();
    initDelete();
    initList();
    initLive();
    initNameEditor();
    initDataflows();
    initCreate();
  });
})();
