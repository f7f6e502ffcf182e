/** Ant (Gymnasium v5 ant.xml), written in local coordinates from ../shared/REFERENCE.md 1.8. */

/** One leg: leg body at the torso origin, hip at 0.2 s, ankle at 0.4 s, foot capsule to 0.8 s. */
function leg(i: number, name: string, sx: number, sy: number, ankleAxis: string, ankleRange: string): string {
  const a = `${0.2 * sx} ${0.2 * sy} 0`;
  return `
      <body name="${name}" pos="0 0 0">
        <geom name="aux_${i}_geom" type="capsule" fromto="0 0 0 ${a}" size="0.08"/>
        <body name="aux_${i}" pos="${a}">
          <joint name="hip_${i}" type="hinge" axis="0 0 1" pos="0 0 0" range="-30 30"/>
          <geom name="leg_${i}_geom" type="capsule" fromto="0 0 0 ${a}" size="0.08"/>
          <body name="foot_${i}" pos="${a}">
            <joint name="ankle_${i}" type="hinge" axis="${ankleAxis}" pos="0 0 0" range="${ankleRange}"/>
            <geom name="ankle_${i}_geom" type="capsule" fromto="0 0 0 ${0.4 * sx} ${0.4 * sy} 0" size="0.08"/>
          </body>
        </body>
      </body>`;
}

export const antXml = `
<mujoco model="ant">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.01"/>
  <size memory="1M"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom conaffinity="0" condim="3" density="5.0" friction="1 0.5 0.5" margin="0.01" rgba="0.8 0.6 0.4 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3" rgba="0.45 0.55 0.5 1"/>
    <body name="torso" pos="0 0 0.75">
      <geom name="torso_geom" type="sphere" pos="0 0 0" size="0.25"/>
      <joint name="root" type="free" pos="0 0 0" armature="0" damping="0" limited="false" margin="0.01"/>${leg(1, 'front_left_leg', 1, 1, '-1 1 0', '30 70')}${leg(2, 'front_right_leg', -1, 1, '1 1 0', '-70 -30')}${leg(3, 'back_leg', -1, -1, '-1 1 0', '-70 -30')}${leg(4, 'right_back_leg', 1, -1, '1 1 0', '30 70')}
    </body>
  </worldbody>
  <actuator>
    <motor joint="hip_4" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_4" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_1" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_1" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_2" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_2" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_3" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_3" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>`;
