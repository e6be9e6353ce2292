"""How the apps above parties add to a customer's page, without parties knowing them."""

# Templates other apps add to the facts of a customer's page (each gets ``customer``).
CUSTOMER_FACTS: list[str] = []
