// the gate runner
