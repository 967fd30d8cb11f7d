// placeholder until harness lands
