"""What other parts of Comptoir may follow in the life of orders, without sales knowing them
(stock reserves goods for confirmed orders and releases them for cancelled ones). Receivers
run inside the transaction that changed the orders: an error in one undoes the change."""

from django.dispatch import Signal

orders_confirmed = Signal()  # orders: the orders just confirmed
orders_cancelled = Signal()  # orders: the orders just cancelled
