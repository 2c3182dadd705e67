"""Infrastructure as code, read offline: CloudFormation templates (JSON/YAML), CDK output and Terraform
plans become the facts the audit evaluates (streams, keys, aliases, principals with their policies,
changes), each with the file and line it came from.

    loader      JSON / YAML with line numbers (CloudFormation's short-form tags)
    cloudformation  intrinsic functions resolved symbolically -> facts
    terraform   plan JSON (planned values, resource changes, configuration) -> facts
    symbolic    unresolved values made into conditions the evaluator reports as unknown
    audit       facts -> the live audit's report, with locations
"""
