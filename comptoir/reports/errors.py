from enum import StrEnum


class ReportError(StrEnum):
    DIMENSION = "report.unknown_dimension"
    PERIOD = "report.unknown_period"
    MONTH = "report.bad_month"
    FILTER = "report.bad_filter"
    VIEW = "report.unknown_view"
