"""KMS cost estimation for Kinesis Video Streams: a dated price table and a pure estimator.

No I/O here: the CLI (or a service reading the account) builds `CostAssumptions`, calls `estimate`,
`compare` or `estimate_account`, and hands the frozen results to a renderer.
"""
