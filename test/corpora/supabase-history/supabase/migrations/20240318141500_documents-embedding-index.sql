create index documents_embedding_idx on public.documents
  using hnsw (embedding extensions.vector_cosine_ops) with (m = 16, ef_construction = 64);
