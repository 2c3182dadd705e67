"""Key policies for Kinesis Video Streams: least-privilege recommendations (pure, no AWS)."""
