import { diffVariables } from '../../src/stages/variables.js'

describe('diffVariables', () => {
  it('tells added, changed and unchanged names apart', () => {
    expect(
      diffVariables(
        [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' }
        ],
        [
          { name: 'A', value: '1' },
          { name: 'B', value: '3' },
          { name: 'C', value: '4' }
        ]
      )
    ).toEqual({
      added: ['C'],
      changed: ['B'],
      unchanged: ['A']
    })
  })
})
