"""The only package that imports boto3/botocore (lazily). Gateways here return kvsctl.models."""
