"""kvsctl: administer encryption on Amazon Kinesis Video Streams."""

__version__ = "0.1.0"
