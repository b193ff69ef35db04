// Package sheet keeps the graph in the spreadsheets coordinators already
// use: it reads workbooks (.xlsx) and CSV files, compares them with the
// store and applies the difference in one atomic batch, and writes the
// graph (or a blank template) back in the same format.
//
// # The format
//
// A workbook has one sheet per node kind and one for relations; a CSV file
// is one sheet, named by its file name ("Nettverk.csv"). A sheet is read by
// its name:
//
//   - a node kind, in English or Norwegian, singular or plural
//     ("Network", "Nettverk", "Kommuner", "Tiltak", ...): one node of that
//     kind per row;
//   - "Relations" or "Relasjoner": one relation per row;
//   - "Veiledning" / "How to fill this in": skipped;
//   - any other name: a relations sheet when it has from and to columns, a
//     node sheet when it has a kind column (as /export/nodes.csv and
//     edges.csv have, which are read as they are).
//
// The first row names the columns, as the export writes them (the JSON
// names: id, name, aliases, ..., sourcePlan, sourceReference; kind, from,
// to, fromYear, toYear, ... for relations). Case, spaces, hyphens and
// accents do not matter, and Norwegian names are accepted: navn, alias,
// beskrivelse, fylke, kommunenummer, fagfelt, kategori, kode, planår,
// kostnad, mål, aktiviteter, vedtatt, fra, til, fraÅr, tilÅr, beløp,
// somSkrevet, rolle, kilde, sitat, avsnitt, referanse, slett. The columns
// Gephi's CSV has (Id, Label, Source, Target, Type) and the layout columns
// of /export/nodes.csv (x, y, size, degree, color) are read or skipped as
// such. A column the package does not know is an error, so a misspelt one
// is not silently ignored; a column whose name starts with "#", or named
// comment/kommentar/merknad/notat, is a note and skipped.
//
// Cells: lists (aliases, goals, activities) hold one entry per line (aliases
// may also be separated by ";"); yearly amounts are "2011: 700000" lines;
// numbers may have spaces as thousands separators and "kr"; booleans are
// true/false, ja/nei, yes/no, 1/0 or x. A column that is absent leaves its
// field as it is; a column that is present with an empty cell clears it.
// "kilde" (source) is a convenience: a Plan (by id or exact name) there is
// the source plan, anything else is a reference from outside the plans.
//
// # Rows and the store
//
// A node row is matched with a stored node by its id or, without one, by
// its exact name among the nodes of its kind; a new node without an id gets
// one from its kind and name ("nettverk-klimanettverket"). A relation's
// from and to are ids or exact names of any node, in the store or created by
// the same import; a name two nodes share is an error naming both. A
// relation row without an id matches the stored relation of the same kind
// between the same nodes, or creates one with the id a link would get.
// Deleting needs the admin role and a delete (slett) column with a true
// cell; a node's relations go with it.
//
// Plan reads every sheet and returns the Diff: what would be created,
// updated (each changed column with its old and new value), deleted and
// left unchanged, and every refused row, each naming its sheet, row and
// column. Diff.Apply writes exactly the planned changes in one Store.Apply
// batch, each history entry's reason naming the file, sheet and row; when
// any row is refused nothing is written.
//
// # Writing
//
// WriteXLSX writes a workbook of nodes and relations (or the template),
// WriteCSV one of its sheets; Workbook and CSVSheets write the same a page
// of rows at a time, in bounded memory, for graphs of any size (the
// streamed exports of package export).
//
// The package imports only the domain package, the standard library,
// golang.org/x/text (Windows-1252 CSV) and excelize.
package sheet
