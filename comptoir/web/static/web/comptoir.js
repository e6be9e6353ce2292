// The page behaviours, delegated from data attributes: the pages carry no inline script, so
// the Content-Security-Policy can refuse every script that is not one of these files.

// A line being typed in keeps its value while the document's lines are redrawn around it (set
// here: a configuration written in the page would be evaluated, which the policy refuses).
if (window.Idiomorph) {
  Idiomorph.defaults.ignoreActiveValue = true;
}
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-opens-dialog]");
  if (opener) {
    opener.nextElementSibling.showModal();
    return;
  }
  const closer = event.target.closest("[data-closes-dialog]");
  if (closer) {
    closer.closest("dialog").close();
    return;
  }
  if (event.target.closest("[data-prints]")) {
    window.print();
  }
});

document.addEventListener("change", (event) => {
  if (event.target.matches("[data-submits]")) {
    event.target.form.submit();
  }
});

// A choice that tells what another field holds (a pricing rule's action and its value): the
// field's label follows the choice.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-value-labels]");
  if (!select) {
    return;
  }
  const text = JSON.parse(select.dataset.valueLabels)[select.value];
  const input = select.form && select.form.elements.namedItem("value");
  const label = input && input.closest("label");
  if (text && label && label.firstChild.nodeType === Node.TEXT_NODE) {
    label.firstChild.textContent = text + (label.firstChild.textContent.includes("*") ? " * " : " ");
  }
});

// A price the pricing engine proposes follows the line (its quantity reaching a rule's
// threshold) even in the field the user is in, which a redraw leaves as it is: while the user
// has not typed in it, it shows the engine's latest proposal (the first of ``data-proposed``).
document.addEventListener("input", (event) => {
  if (event.target.matches("[data-proposed]")) {
    event.target.dataset.typed = "1";
  }
});
document.addEventListener("htmx:afterSettle", () => {
  const field = document.activeElement;
  if (!field || !field.matches || !field.matches("[data-proposed]") || field.dataset.typed) {
    return;
  }
  const proposals = field.dataset.proposed.split("|");
  if (proposals[0] && proposals.includes(field.value)) {
    field.value = proposals[0];
  }
});
