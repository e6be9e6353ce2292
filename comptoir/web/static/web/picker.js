// Search-as-you-type pickers (core/picker.html): the visible box searches, the server answers
// with the matching records as options, and the hidden input beside it holds the chosen code.
// Keyboard: arrows move through the options, Enter chooses, Escape closes.

const pickerOf = (element) => element.closest("[data-picker]");
const partsOf = (picker) => ({
  hidden: picker.querySelector("input[type=hidden]"),
  box: picker.querySelector("input[type=search]"),
  list: picker.querySelector("[role=listbox]"),
});

function closePicker(picker) {
  const { box, list } = partsOf(picker);
  list.hidden = true;
  box.setAttribute("aria-expanded", "false");
}

function setValue(picker, value, label) {
  const { hidden, box } = partsOf(picker);
  box.value = label;
  box.dataset.chosen = label;
  if (hidden.value !== value) {
    hidden.value = value;
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  }
}

function choose(picker, option) {
  setValue(picker, option.dataset.value, option.dataset.label);
  closePicker(picker);
}

function highlight(list, option) {
  for (const other of list.querySelectorAll("[aria-selected=true]")) {
    other.setAttribute("aria-selected", "false");
  }
  if (option) {
    option.setAttribute("aria-selected", "true");
    option.scrollIntoView({ block: "nearest" });
  }
}

document.addEventListener("htmx:afterSwap", (event) => {
  const picker = pickerOf(event.detail.target);
  if (!picker || !event.detail.target.matches("[role=listbox]")) {
    return;
  }
  const { box, list } = partsOf(picker);
  delete box.dataset.searching;
  const first = list.querySelector("[role=option]");
  if (box.dataset.enterPending) {
    // Enter was pressed while the search ran (a barcode scanner types, then Enter at once):
    // it chooses from the answer to what was typed, never from an older list.
    delete box.dataset.enterPending;
    if (first) {
      choose(picker, first);
      return;
    }
  }
  const open = document.activeElement === box && list.children.length > 0;
  list.hidden = !open;
  box.setAttribute("aria-expanded", String(open));
});

// As soon as a key changes the search, the options shown are those of an older search:
// they go, so that a quick click or Enter cannot choose one of them.
document.addEventListener("input", (event) => {
  const box = event.target.closest("[data-picker] input[type=search]");
  if (box && !box.readOnly) {
    const picker = pickerOf(box);
    box.dataset.searching = "1";
    partsOf(picker).list.replaceChildren();
    closePicker(picker);
  }
});

// mousedown, not click: the box would lose its focus (and close the list) before a click.
document.addEventListener("mousedown", (event) => {
  const option = event.target.closest("[data-picker] [role=option]");
  if (option) {
    event.preventDefault();
    choose(pickerOf(option), option);
  }
});

document.addEventListener("keydown", (event) => {
  const box = event.target.closest("[data-picker] input[type=search]");
  if (!box) {
    return;
  }
  const picker = pickerOf(box);
  const { list } = partsOf(picker);
  const options = [...list.querySelectorAll("[role=option]")];
  const current = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
  if ((event.key === "ArrowDown" || event.key === "ArrowUp") && options.length) {
    event.preventDefault();
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    const step = event.key === "ArrowDown" ? 1 : -1;
    highlight(list, options[(current + step + options.length) % options.length]);
  } else if (event.key === "Enter" && box.dataset.searching) {
    event.preventDefault(); // chosen when the answer comes (see htmx:afterSwap)
    box.dataset.enterPending = "1";
  } else if (event.key === "Enter" && !list.hidden && options.length) {
    event.preventDefault(); // choosing is not submitting the form
    choose(picker, options[Math.max(current, 0)]);
  } else if (event.key === "Escape") {
    closePicker(picker);
  }
});

document.addEventListener("focusout", (event) => {
  const box = event.target.closest("[data-picker] input[type=search]");
  if (box) {
    closePicker(pickerOf(box));
  }
});

// The box's own changes are not the form's: what it holds goes to the hidden input only
// when the user typed a code (or cleared the box) instead of choosing from the list.
document.addEventListener(
  "change",
  (event) => {
    const box = event.target.closest("[data-picker] input[type=search]");
    if (!box) {
      return;
    }
    event.stopPropagation();
    const typed = box.value.trim();
    if (typed !== box.dataset.chosen) {
      setValue(pickerOf(box), typed, typed);
    }
  },
  true,
);
