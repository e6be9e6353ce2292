"""Fixtures of the e-invoice tests: the test seller's catalogue and the matrix of cases
(examples/facturx.py), each an issued invoice or credit note."""

import pytest

from examples.facturx import catalogue, matrix, seller


@pytest.fixture
def items(company):
    seller()
    return catalogue()


@pytest.fixture
def cases(items):
    return matrix(items)
