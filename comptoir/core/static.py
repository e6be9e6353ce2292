"""How the static files are collected for `comptoir serve --production`."""

from whitenoise.storage import CompressedStaticFilesStorage


class GzipStaticFilesStorage(CompressedStaticFilesStorage):
    """Each file beside its gzip copy, which WhiteNoise sends to the browsers that take it.
    No brotli copy: making them takes twenty times as long (half a minute of processor at
    each start, for the API documentation's scripts) for a few per cent fewer bytes."""

    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)
