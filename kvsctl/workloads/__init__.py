"""What real KVS clients do: the producer and consumer read paths, the fixes that make a failing check
pass, the fragment acknowledgement codes KMS failures show up as, and key lifecycle. Pure: no I/O."""
