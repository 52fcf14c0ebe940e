/** A slug the API accepts, from a workspace name ("Acme Inc." -> "acme-inc"). */
export function slugFrom(name: string): string {
  return (
    name
      .normalize('NFKD')
      // Accents come apart under NFKD; dropping the marks keeps "Über" as "uber".
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'workspace'
  );
}
