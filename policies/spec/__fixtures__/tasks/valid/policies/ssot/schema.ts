// the schema gate
