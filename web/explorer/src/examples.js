// The example queries the explorer offers (its Examples pane; the first one
// is in the editor when the explorer opens for the first time). Each must run
// within the server's default limits: server/shipped_test.go reads this file
// (the "title": `query` pairs) and runs every one.
export const examples = {
  "Who funds LUP 2011?": `{
  initiatives(filter: {text: "LUP 2011"}) {
    nodes {
      name
      code
      costNok
      funding {
        asWritten
        from { name kind }
        source { citation }
      }
    }
  }
}`,
  "Initiatives the PLOM network coordinates": `{
  search(text: "PLOM", kinds: [NETWORK]) {
    nodes {
      ... on Network {
        name
        coordinates {
          ... on Initiative { code name costNok }
        }
      }
    }
  }
}`,
  "2011 initiatives and costs per focus area": `{
  focusAreas(orderBy: {field: CODE}) {
    nodes {
      code
      name
      initiatives(planYear: 2011) {
        code
        name
        amountIn(year: 2011)
        parent { code }
      }
    }
  }
}`,
  "The 2014 lettered initiatives": `{
  initiatives(filter: {planYear: 2014}, orderBy: {field: CODE}, first: 50) {
    totalCount
    nodes {
      code
      name
      goals
      focusAreas { code name }
      topics { name }
    }
  }
}`,
  "Who is tied to E134?": `{
  search(text: "E134", kinds: [TOPIC]) {
    nodes {
      ... on Topic {
        name
        actors { name kind }
        initiatives { name planYear }
      }
    }
  }
}`,
  "Municipalities and their networks": `{
  municipalities(first: 20) {
    totalCount
    nodes {
      name
      county
      source { citation }
      participatesIn { name kind }
      memberOf { name }
    }
  }
}`,
};
